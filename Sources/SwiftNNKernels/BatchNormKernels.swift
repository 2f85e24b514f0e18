import SwiftNNMicroKernels

/// Batch norm over data viewed as [outer, channels, inner], statistics per channel
/// over outer × inner, optionally fused with a residual add and a ReLU:
///
///     y = relu?(x·scale[c] + shift[c] + r)        scale = w·invstd, shift = b − mean·scale
///
/// Inputs are read through `ChannelPlanes`, so x (and dx) may be several tensors joined
/// along the channels (DenseNet). Each (o, c) row runs in the per-ISA loops of
/// pointwise_body.h; Swift splits rows or channels over the thread pool. Row sums come
/// back in float and are added up per channel in Double, so the one-pass Σx, Σx²
/// variance stays accurate for float32 data. With ReLU, NaN is kept (as `Tensor.relu`)
/// and gradient passes only where y > 0.
extension NormKernels {
    /// Per-channel mean and biased variance of x, one pass.
    package static func channelMoments(_ x: ChannelPlanes, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        let m = Double(x.outer &* x.inner)
        ThreadPool.shared.parallelFor(x.channels, grain: Swift.max(1, grain / Swift.max(1, x.outer &* x.inner))) { range in
            for c in range {
                // Shifted sums: with the shift near the mean, Σ(x−k)² does not cancel
                // catastrophically when |mean| ≫ std.
                let shift = x.row(0, c)[0]
                var s = 0.0, s2 = 0.0
                for o in 0..<x.outer {
                    let (rs, rs2) = shiftedSums(x.row(o, c), count: x.inner, shift: shift)
                    s += Double(rs); s2 += Double(rs2)
                }
                let mu = s / m
                mean[c] = Float(Double(shift) + mu)
                variance[c] = Float(Swift.max(0, s2 / m - mu * mu))
            }
        }
    }

    /// (Σ(x−k), Σ(x−k)²) over `count` floats.
    @inline(__always)
    package static func shiftedSums(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> (Float, Float) {
        var sums: (Float, Float) = (0, 0)
        withUnsafeMutableBytes(of: &sums) { swiftnn_shifted_sums(p, count, shift, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
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
        let channels = x.channels, inner = x.inner, fuse: Int32 = relu ? 1 : 0
        ThreadPool.shared.parallelFor(x.outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let o = row / channels, c = row &- o &* channels
                swiftnn_scale_shift(x.row(o, c), residual.map { $0 + row &* inner }, y + row &* inner, inner,
                                    scale[c], shift[c], fuse)
            }
        }
    }

    /// Per channel Σg' and Σg'·x̂ with x̂ = (x − mean)·invstd, where g' = g, or with `reluOutput`
    /// y given, g' = (y > 0 ? g : 0); g' itself into `gatedGradient` when given (a residual's gradient).
    package static func channelGradSums(_ g: UnsafePointer<Float>, reluOutput y: UnsafePointer<Float>?, _ x: ChannelPlanes,
                                        mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                        sumG: UnsafeMutablePointer<Float>, sumGXhat: UnsafeMutablePointer<Float>,
                                        gatedGradient: UnsafeMutablePointer<Float>? = nil) {
        let channels = x.channels, inner = x.inner
        ThreadPool.shared.parallelFor(channels, grain: Swift.max(1, grain / Swift.max(1, x.outer &* inner))) { range in
            for c in range {
                var sg = 0.0, sgx = 0.0
                var sums: (Float, Float) = (0, 0)
                for o in 0..<x.outer {
                    let offset = (o &* channels &+ c) &* inner
                    withUnsafeMutableBytes(of: &sums) {
                        swiftnn_channel_grad_sums(g + offset, y.map { $0 + offset }, x.row(o, c), gatedGradient.map { $0 + offset },
                                                  inner, mean[c], $0.baseAddress!.assumingMemoryBound(to: Float.self))
                    }
                    sg += Double(sums.0); sgx += Double(sums.1)
                }
                sumG[c] = Float(sg)
                sumGXhat[c] = Float(sgx) * invstd[c]
            }
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
        ThreadPool.shared.parallelFor(x.outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let o = row / channels, c = row &- o &* channels
                let istd = invstd[c]
                let scale = istd * (weight?[c] ?? 1)
                let mg = batchStats ? sumG[c] * invM : 0, k = batchStats ? sumGXhat[c] * invM * istd : 0
                swiftnn_channel_backward(g + row &* inner, y.map { $0 + row &* inner }, x.row(o, c), dx.row(o, c), inner,
                                         mean[c], scale, scale * k, scale * mg)
            }
        }
    }
}
