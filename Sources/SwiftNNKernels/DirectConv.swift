#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNMicroKernels

/// Stride-1 convolution without a column matrix: the GEMM micro-kernel reads its B
/// rows straight out of a zero-padded copy of each image.
///
/// For 16 neighbouring output pixels of one row, kernel tap (c, ky, kx) reads 16
/// consecutive floats of the padded image at a fixed offset from the strip's origin,
/// so the im2col matrix never has to be written, packed and read back — three passes
/// over nine times the input, which is what limits thin layers (16–32 channels,
/// where each B value feeds only 16–32 multiply-adds). The filters are packed once
/// into the usual 6-row A panels; each 6 × 16 tile is 6 output channels × 16 pixels.
///
/// The input gradient of a stride-1 convolution is the same operation on the output
/// gradient with the filters turned by 180° and in/out swapped (`rotated`), padded by
/// (kernel − 1)·dilation − padding; `ConvProblem.directInputGradient` describes it.
package enum DirectConv {
    package struct Problem {
        package var batch: Int
        package var inChannels: Int, outChannels: Int
        package var height: Int, width: Int
        package var kernelH: Int, kernelW: Int
        package var padTop: Int, padLeft: Int
        package var dilationH: Int, dilationW: Int
        package var outH: Int, outW: Int

        /// Rows of the padded image: enough for the last output row's bottom tap.
        package var paddedH: Int { outH &+ (kernelH &- 1) &* dilationH }
        package var paddedW: Int { outW &+ (kernelW &- 1) &* dilationW }
        package var paddedPlane: Int { paddedH &* paddedW }
        /// Depth of the GEMM: one row per (input channel, kernel row, kernel column).
        package var depth: Int { inChannels &* kernelH &* kernelW }
    }

    /// Pixels per strip: the micro-kernel's 16 columns.
    package static let stripWidth = GEMMBlocking.nr

    /// Worth it when a strip is mostly full (rows of ≥ 8 pixels); narrower outputs fold
    /// images together in the im2col path. With fewer images than threads, `forward`
    /// splits each image's output channels over the threads, which pays on thin layers
    /// with whole strips (batch 1, 2 threads: 16→16 at 32×32 0.073 vs 0.133 ms); at 8×8
    /// or from 64 channels on the im2col path's threaded GEMM is faster.
    package static func applies(batch: Int, outW: Int, channels: Int) -> Bool {
        guard enabled && outW >= 8 else { return false }
        return batch >= ThreadPool.shared.threadCount || (outW >= stripWidth && channels < 64)
    }

    /// `weightGradient` splits the work by images only: it needs one image per thread.
    package static func weightGradientApplies(_ p: Problem) -> Bool {
        p.batch >= ThreadPool.shared.threadCount
    }

    /// `SWIFTNN_DIRECT_CONV=0` turns the path off (for benchmarks and bisecting).
    package static let enabled = getenv("SWIFTNN_DIRECT_CONV").map { String(cString: $0) != "0" } ?? true

    /// y[n] = conv(x[n], filters) + bias for every image, then `epilogue` on each finished
    /// block of output channels. Filters are [out, in, kh, kw], or with `rotated` the
    /// [in, out, kh, kw] filters of the convolution whose input gradient this is, read
    /// turned by 180°.
    package static func forward(_ p: Problem, x: UnsafePointer<Float>, filters: UnsafePointer<Float>, rotated: Bool,
                        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none) {
        let MR = GEMMBlocking.mr, KC = GEMMBlocking.kc, MC = GEMMBlocking.mc
        let K = p.depth, panelRows = GEMM.roundUp(p.outChannels, MR)
        let packed = Scratch(count: panelRows &* K)
        defer { packed.free() }
        packFilters(p, filters, rotated: rotated, into: packed.base)
        let offsets = tapOffsets(p)
        defer { offsets.deallocate() }

        let inImage = p.inChannels &* p.height &* p.width, outPlane = p.outH &* p.outW
        // With fewer images than threads (batch-1 inference) each image's output channels
        // are split into whole-panel parts, one work item per (image, part); every thread
        // pads its own copy of the image, which costs 1/(9·channels) of the convolution.
        let panels = panelRows / MR, threads = ThreadPool.shared.threadCount
        let parts = p.batch >= threads ? 1 : min(panels, (threads &+ p.batch &- 1) / p.batch)
        ThreadPool.shared.parallelFor(p.batch &* parts) { items in
            // The padded image, plus one strip of slack: the last strip of a row reads
            // (and discards) up to 15 floats past its end.
            let scratch = Scratch(count: p.inChannels &* p.paddedPlane &+ stripWidth)
            defer { scratch.free() }
            let padded = scratch.base
            var paddedImage = -1
            for item in items {
                let image = item / parts, part = item % parts
                if image != paddedImage { pad(p, x + image &* inImage, into: padded); paddedImage = image }
                let first = panels &* part / parts &* MR, end = min(p.outChannels, panels &* (part &+ 1) / parts &* MR)
                let out = y + image &* p.outChannels &* outPlane
                if let bias {
                    for o in first..<end { (out + o &* outPlane).initialize(repeating: bias[o], count: outPlane) }
                }
                // Filter blocks of at most MC channels × KC taps (≤ 168 KiB) stay in L2
                // while every strip of the image passes by, as in the GEMM's loop nest.
                var p0 = 0
                while p0 < K {
                    let kc = min(KC, K &- p0)
                    let beta: Float = p0 == 0 && bias == nil ? 0 : 1
                    var block = first
                    while block < end {
                        let blockEnd = min(block &+ MC, end)
                        for oy in 0..<p.outH {
                            var ox = 0
                            while ox < p.outW {
                                let width = min(stripWidth, p.outW &- ox)
                                swiftnn_direct_conv_strip(packed.base + (panelRows &* p0 &+ block &* kc), blockEnd &- block, kc,
                                                          padded + (oy &* p.paddedW &+ ox), offsets + p0,
                                                          out + (block &* outPlane &+ oy &* p.outW &+ ox), outPlane,
                                                          width, beta)
                                ox &+= width
                            }
                        }
                        block = blockEnd
                    }
                    p0 &+= kc
                }
                let origin = image &* p.outChannels &* outPlane
                epilogue.apply(y, (origin &+ first &* outPlane)..<(origin &+ end &* outPlane))
            }
        }
    }

    /// The filters as 6-row A panels, depth slice by depth slice: slice p0 starts at
    /// panelRows·p0, and its panel o holds, per depth, the filter values of output
    /// channels o..<o+6 (zero past the last channel).
    package static func packFilters(_ p: Problem, _ filters: UnsafePointer<Float>, rotated: Bool,
                            into packed: UnsafeMutablePointer<Float>) {
        let MR = GEMMBlocking.mr, KC = GEMMBlocking.kc
        let K = p.depth, taps = p.kernelH &* p.kernelW, panelRows = GEMM.roundUp(p.outChannels, MR)
        var p0 = 0
        while p0 < K {
            let kc = min(KC, K &- p0)
            for row in 0..<panelRows {
                let panel = packed + (panelRows &* p0 &+ row / MR &* MR &* kc &+ row % MR)
                for t in 0..<kc {
                    var value: Float = 0
                    if row < p.outChannels {
                        let k = p0 &+ t, c = k / taps, tap = k % taps
                        value = rotated ? filters[(c &* p.outChannels &+ row) &* taps &+ (taps &- 1 &- tap)]
                                        : filters[row &* K &+ k]
                    }
                    panel[t &* MR] = value
                }
            }
            p0 &+= kc
        }
    }

    /// Offset in the padded image of tap (c, ky, kx) from an output pixel's origin, in depth order.
    package static func tapOffsets(_ p: Problem) -> UnsafeMutablePointer<Int> {
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: max(p.depth, 1))
        var k = 0
        for c in 0..<p.inChannels {
            for ky in 0..<p.kernelH {
                for kx in 0..<p.kernelW {
                    offsets[k] = c &* p.paddedPlane &+ ky &* p.dilationH &* p.paddedW &+ kx &* p.dilationW
                    k &+= 1
                }
            }
        }
        return offsets
    }

    /// padded[c][r][q] = x[c][r − padTop][q − padLeft], zero outside the image.
    package static func pad(_ p: Problem, _ x: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let columns = max(0, p.padLeft)..<min(p.paddedW, p.padLeft &+ p.width)
        for c in 0..<p.inChannels {
            let plane = x + c &* p.height &* p.width
            for r in 0..<p.paddedH {
                let dst = padded + (c &* p.paddedPlane &+ r &* p.paddedW)
                let source = r &- p.padTop
                guard source >= 0, source < p.height, !columns.isEmpty else {
                    dst.initialize(repeating: 0, count: p.paddedW)
                    continue
                }
                dst.initialize(repeating: 0, count: columns.lowerBound)
                dst.advanced(by: columns.lowerBound)
                    .initialize(from: plane + (source &* p.width &+ columns.lowerBound &- p.padLeft), count: columns.count)
                dst.advanced(by: columns.upperBound).initialize(repeating: 0, count: p.paddedW &- columns.upperBound)
            }
        }
    }
}
