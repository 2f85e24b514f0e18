import SwiftNNMicroKernels

/// The weight gradient of a stride-1 convolution without a column matrix.
///
///     gwᵀ[k][o] = Σ_pixels column[k][pixel] · gy[o][pixel]      (k = (c, ky, kx))
///
/// A 6 × 16 register tile holds six taps × sixteen output channels and accumulates
/// over every pixel of an image before touching memory. The six column rows are
/// read in place from the zero-padded image (each tap's row is contiguous along an
/// output row), and gy is transposed once per image into 16-channel panels, so
/// neither operand is ever unfolded or packed at full size.
extension DirectConv {
    /// gWeight[o][c][ky][kx] (overwritten) from the input x and output gradient gy.
    package static func weightGradient(_ p: Problem, x: UnsafePointer<Float>, gy: UnsafePointer<Float>,
                               into gWeight: UnsafeMutablePointer<Float>) {
        let NR = GEMMBlocking.nr
        let K = p.depth, O = p.outChannels, P = p.outH &* p.outW
        let panels = (O &+ NR &- 1) / NR, transposedCount = K &* panels &* NR
        let inImage = p.inChannels &* p.height &* p.width
        let offsets = tapOffsets(p)
        defer { offsets.deallocate() }
        let parts = min(ThreadPool.shared.threadCount, p.batch)
        // Each part sums its images into its own gwᵀ [K × panels·16]; parts are added at the end.
        let partials = Scratch(count: parts &* transposedCount, zeroed: true)
        defer { partials.free() }

        ThreadPool.shared.parallelFor(parts) { range in
            for part in range {
                let scratch = Scratch(count: p.inChannels &* p.paddedPlane &+ panels &* P &* NR)
                defer { scratch.free() }
                let padded = scratch.base, gyPanels = scratch.base + p.inChannels &* p.paddedPlane
                let sum = partials.base + part &* transposedCount
                for image in (p.batch &* part / parts)..<(p.batch &* (part &+ 1) / parts) {
                    pad(p, x + image &* inImage, into: padded)
                    transposeIntoPanels(gy + image &* O &* P, channels: O, pixels: P, into: gyPanels)
                    for panel in 0..<panels {
                        var k0 = 0
                        while k0 < K {
                            accumulateTile(p, padded: padded, offsets: offsets, taps: k0..<min(K, k0 &+ 6),
                                           gyPanel: gyPanels + panel &* P &* NR,
                                           into: sum + (k0 &* panels &+ panel) &* NR, ldc: panels &* NR)
                            k0 &+= 6
                        }
                    }
                }
            }
        }
        // gWeight[o][k] = Σ_parts gwᵀ[k][o].
        for o in 0..<O {
            for k in 0..<K {
                var total: Float = 0
                for part in 0..<parts { total += partials.base[part &* transposedCount &+ k &* panels &* NR &+ o] }
                gWeight[o &* K &+ k] = total
            }
        }
    }

    /// panels[q][pixel][j] = gy[q·16 + j][pixel], zero past the last channel.
    package static func transposeIntoPanels(_ gy: UnsafePointer<Float>, channels: Int, pixels: Int,
                                    into panels: UnsafeMutablePointer<Float>) {
        let NR = GEMMBlocking.nr
        let panelCount = (channels &+ NR &- 1) / NR
        for q in 0..<panelCount {
            let panel = panels + q &* pixels &* NR
            for j in 0..<NR {
                let o = q &* NR &+ j
                var dst = panel + j
                if o < channels {
                    let src = gy + o &* pixels
                    for pixel in 0..<pixels { dst.pointee = src[pixel]; dst += NR }
                } else {
                    for _ in 0..<pixels { dst.pointee = 0; dst += NR }
                }
            }
        }
    }

    /// c[k − k0][0..<16] += Σ_pixels column[k][pixel] · gyPanel[pixel][0..<16] for the (up
    /// to six) taps k: one register tile over all pixels of the image.
    @inline(__always)
    package static func accumulateTile(_ p: Problem, padded: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
                               taps: Range<Int>, gyPanel: UnsafePointer<Float>,
                               into c: UnsafeMutablePointer<Float>, ldc: Int) {
        // Missing rows of a short tile re-read the first tap; their sums are dropped.
        let first = taps.lowerBound, last = taps.upperBound &- 1
        var rows = (padded + offsets[first], padded + offsets[min(first &+ 1, last)],
                    padded + offsets[min(first &+ 2, last)], padded + offsets[min(first &+ 3, last)],
                    padded + offsets[min(first &+ 4, last)], padded + offsets[min(first &+ 5, last)])
        withUnsafeBytes(of: &rows) { bytes in
            swiftnn_direct_conv_weight_tile(bytes.baseAddress!.assumingMemoryBound(to: UnsafePointer<Float>?.self),
                                            taps.count, p.outH, p.outW, p.paddedW, gyPanel, c, ldc)
        }
    }
}
