import SwiftNNMicroKernels

/// Batch norm over data viewed as [outer, channels, inner], statistics per channel
/// over outer × inner, optionally fused with a residual add and a ReLU:
///
///     y = relu?(x·scale[c] + shift[c] + r)        scale = w·invstd, shift = b − mean·scale
///
/// Inputs are read through `ChannelPlanes`, so x (and dx) may be several tensors joined
/// along the channels (DenseNet). Blocks of (o, c) rows run in the per-ISA loops of
/// norm_body.h; Swift splits the rows over the thread pool. Row sums come
/// back in float and are added up per channel in Double, so the one-pass Σx, Σx²
/// variance stays accurate for float32 data. With ReLU, NaN is kept (as `Tensor.relu`)
/// and gradient passes only where y > 0.
extension NormKernels {
    /// Per-channel mean and biased variance of x, one pass.
    package static func channelMoments(_ x: ChannelPlanes, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        // Shifted sums: with the shift near the mean, Σ(x−k)² does not cancel
        // catastrophically when |mean| ≫ std.
        let shift = UnsafeMutablePointer<Float>.allocate(capacity: x.channels)
        defer { shift.deallocate() }
        for c in 0..<x.channels { shift[c] = x.row(0, c)[0] }
        let totals = x.withTable { planes in
            sumsPerChannel(x) { first, count, totals in
                swiftnn_shifted_sums_rows(planes, first, count, x.inner, shift, totals)
            }
        }
        defer { totals.deallocate() }
        let m = Double(x.outer &* x.inner)
        for c in 0..<x.channels {
            let mu = totals[2 &* c] / m
            mean[c] = Float(Double(shift[c]) + mu)
            variance[c] = Float(Swift.max(0, totals[2 &* c &+ 1] / m - mu * mu))
        }
    }

    /// Per channel, the Double sums over its rows of the float pairs `addRows(first, count, totals)`
    /// adds for a block of rows (2 per channel; the caller deallocates). Rows are visited in memory
    /// order, in a fixed number of bands (so the result does not depend on the thread count)
    /// spread over the pool, each band adding into its own totals: walking one channel at a time
    /// would jump between rows of a few KB, where the hardware prefetcher loses the stream.
    private static func sumsPerChannel(
        _ x: ChannelPlanes, _ addRows: (_ first: Int, _ count: Int, _ totals: UnsafeMutablePointer<Double>) -> Void
    ) -> UnsafeMutablePointer<Double> {
        let channels = x.channels, rows = x.outer &* channels
        let bands = Swift.max(1, Swift.min(32, rows, rows &* x.inner / grain))
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: bands &* 2 &* channels)
        partial.initialize(repeating: 0, count: bands &* 2 &* channels)
        ThreadPool.shared.parallelFor(bands) { range in
            for band in range {
                let first = rows &* band / bands
                addRows(first, rows &* (band &+ 1) / bands &- first, partial + band &* 2 &* channels)
            }
        }
        for band in 1..<bands {
            let totals = partial + band &* 2 &* channels
            for i in 0..<(2 &* channels) { partial[i] += totals[i] }
        }
        return partial
    }

    /// (Σ(x−k), Σ(x−k)²) over `count` floats.
    @inline(__always)
    package static func shiftedSums(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> (Float, Float) {
        var sums: (Float, Float) = (0, 0)
        withUnsafeMutableBytes(of: &sums) { swiftnn_shifted_sums(p, count, shift, $0.baseAddress?.assumingMemoryBound(to: Float.self)) }
        return sums
    }

    /// scale = invstd·w and shift = b − mean·scale per channel (w, b nil: 1 and 0).
    package static func affineCoefficients(channels: Int, mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                           weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                           scale: UnsafeMutablePointer<Float>, shift: UnsafeMutablePointer<Float>) {
        for c in 0..<channels {
            scale[c] = invstd[c] * (weight?[c] ?? 1)
            shift[c] = (bias?[c] ?? 0) - mean[c] * scale[c]
        }
    }

    /// y = relu?(x·scale[c] + shift[c] + residual); y and residual are contiguous [outer, channels, inner].
    package static func channelAffine(_ x: ChannelPlanes, residual: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                                      scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, relu: Bool) {
        let inner = x.inner, fuse: Int32 = relu ? 1 : 0
        x.withTable { planes in
            ThreadPool.shared.parallelFor(x.outer &* x.channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
                swiftnn_scale_shift_rows(planes, residual, y, range.lowerBound, range.count, inner, scale, shift, fuse)
            }
        }
    }

    /// Per channel Σg' and Σg'·x̂ with x̂ = (x − mean)·invstd, where g' = g, or with `reluOutput`
    /// y given, g' = (y > 0 ? g : 0); g' itself into `gatedGradient` when given (a residual's gradient).
    package static func channelGradSums(_ g: UnsafePointer<Float>, reluOutput y: UnsafePointer<Float>?, _ x: ChannelPlanes,
                                        mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                        sumG: UnsafeMutablePointer<Float>, sumGXhat: UnsafeMutablePointer<Float>,
                                        gatedGradient: UnsafeMutablePointer<Float>? = nil) {
        let channels = x.channels
        let totals = x.withTable { planes in
            sumsPerChannel(x) { first, count, totals in
                swiftnn_channel_grad_sums_rows(g, y, planes, gatedGradient, first, count, x.inner, mean, totals)
            }
        }
        defer { totals.deallocate() }
        for c in 0..<channels {
            sumG[c] = Float(totals[2 &* c])
            sumGXhat[c] = Float(totals[2 &* c &+ 1]) * invstd[c]
        }
    }

    /// The input gradient into `dx` (x's channel layout), g' as in `channelGradSums`. With batch
    /// statistics dx = w·invstd·(g' − Σg'/M − x̂·Σg'x̂/M), M = outer·inner; else dx = w·invstd·g'.
    package static func channelBackward(_ g: UnsafePointer<Float>, reluOutput y: UnsafePointer<Float>?, _ x: ChannelPlanes,
                                        _ dx: ChannelPlanes, mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                        weight: UnsafePointer<Float>?, sumG: UnsafePointer<Float>,
                                        sumGXhat: UnsafePointer<Float>, batchStats: Bool) {
        let channels = x.channels, inner = x.inner
        let invM = 1 / Float(x.outer &* inner)
        // Per channel: dx = g'·scale − b − (x − mean)·a.
        let coefficients = UnsafeMutablePointer<Float>.allocate(capacity: 3 &* channels)
        defer { coefficients.deallocate() }
        let scale = coefficients, a = coefficients + channels, b = coefficients + 2 &* channels
        for c in 0..<channels {
            let istd = invstd[c]
            scale[c] = istd * (weight?[c] ?? 1)
            let mg = batchStats ? sumG[c] * invM : 0, k = batchStats ? sumGXhat[c] * invM * istd : 0
            a[c] = scale[c] * k
            b[c] = scale[c] * mg
        }
        x.withTable { xPlanes in
            dx.withTable { dxPlanes in
                ThreadPool.shared.parallelFor(x.outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
                    swiftnn_channel_backward_rows(g, y, xPlanes, dxPlanes, range.lowerBound, range.count, inner, mean,
                                                  scale, a, b)
                }
            }
        }
    }
}
