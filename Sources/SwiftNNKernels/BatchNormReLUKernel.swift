/// Batch norm followed by ReLU (optionally with a residual added in between), one
/// memory pass forward and two backward instead of the four plus temporaries of
/// separate BN, add and ReLU ops:
///
///     y = relu(x·scale[c] + shift[c] + r)        scale = w·invstd, shift = b − mean·scale
///
/// The input is read through `ChannelPlanes`, so it may be several tensors joined
/// along the channels. ReLU keeps NaN (as `Tensor.relu`) and passes gradient only
/// where y > 0.
package enum BatchNormReLUKernel {
    /// Minimum elements per parallel task.
    package static let grain = 1 << 14

    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { VectorLoops.load(p) }
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { VectorLoops.store(v, p) }

    /// y = relu(x·scale[c] + shift[c] + residual); y and residual are contiguous [outer, channels, inner].
    package static func forward(_ x: ChannelPlanes, residual: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        let channels = x.channels, inner = x.inner
        ThreadPool.shared.parallelFor(x.outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let o = row / channels, c = row &- o &* channels
                let p = x.row(o, c), q = y + row &* inner
                let a = scale[c], b = shift[c]
                let va = SIMD8<Float>(repeating: a), vb = SIMD8<Float>(repeating: b)
                var i = 0
                if let residual {
                    let r = residual + row &* inner
                    while i &+ 8 <= inner {
                        let v = load(p + i) * va + vb + load(r + i)
                        store(v.replacing(with: 0, where: v .< 0), q + i)
                        i &+= 8
                    }
                    while i < inner { let v = p[i] * a + b + r[i]; q[i] = v < 0 ? 0 : v; i &+= 1 }
                } else {
                    while i &+ 8 <= inner {
                        let v = load(p + i) * va + vb
                        store(v.replacing(with: 0, where: v .< 0), q + i)
                        i &+= 8
                    }
                    while i < inner { let v = p[i] * a + b; q[i] = v < 0 ? 0 : v; i &+= 1 }
                }
            }
        }
    }

    /// With g' = (y > 0 ? g : 0): per channel Σg' and Σg'·(x − mean)·invstd, and g' itself
    /// into `gResidual` when given (the residual's gradient).
    package static func gradientSums(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ x: ChannelPlanes,
                             mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                             sumG: UnsafeMutablePointer<Float>, sumGXhat: UnsafeMutablePointer<Float>,
                             gResidual: UnsafeMutablePointer<Float>?) {
        let channels = x.channels, inner = x.inner
        ThreadPool.shared.parallelFor(channels, grain: Swift.max(1, grain / Swift.max(1, x.outer &* inner))) { range in
            for c in range {
                let mu = mean[c], vmu = SIMD8<Float>(repeating: mu)
                var sg = 0.0, sgx = 0.0
                for o in 0..<x.outer {
                    let offset = (o &* channels &+ c) &* inner
                    let pg = g + offset, py = y + offset, px = x.row(o, c)
                    let pr = gResidual.map { $0 + offset }
                    var vg = SIMD8<Float>(), vgx = SIMD8<Float>()
                    var i = 0
                    while i &+ 8 <= inner {
                        let gv = load(pg + i).replacing(with: 0, where: .!(load(py + i) .> 0))
                        if let pr { store(gv, pr + i) }
                        vg += gv
                        vgx.accumulateProduct(gv, load(px + i) - vmu)
                        i &+= 8
                    }
                    var rg = vg.sum(), rgx = vgx.sum()
                    while i < inner {
                        let gv = py[i] > 0 ? pg[i] : 0
                        pr?[i] = gv
                        rg += gv; rgx += gv * (px[i] - mu)
                        i &+= 1
                    }
                    sg += Double(rg); sgx += Double(rgx)
                }
                sumG[c] = Float(sg)
                sumGXhat[c] = Float(sgx) * invstd[c]
            }
        }
    }

    /// The input gradient into `dx` (same channel layout as x). With batch statistics
    /// dx = w·invstd·(g' − Σg'/M − x̂·Σg'x̂/M), M = outer·inner; else dx = w·invstd·g'.
    package static func backward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ x: ChannelPlanes, _ dx: ChannelPlanes,
                         mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                         sumG: UnsafePointer<Float>, sumGXhat: UnsafePointer<Float>, batchStats: Bool) {
        let channels = x.channels, inner = x.inner
        let invM = 1 / Float(x.outer &* inner)
        ThreadPool.shared.parallelFor(x.outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let o = row / channels, c = row &- o &* channels
                let istd = invstd[c], mu = mean[c]
                let scale = istd * (weight?[c] ?? 1)
                let mg = batchStats ? sumG[c] * invM : 0, k = batchStats ? sumGXhat[c] * invM * istd : 0
                // x − mean stays a difference: folding mean into a constant cancels badly when |mean| ≫ std.
                let a = scale * k, b = scale * mg
                let pg = g + row &* inner, py = y + row &* inner, px = x.row(o, c), pd = dx.row(o, c)
                let vs = SIMD8<Float>(repeating: scale), va = SIMD8<Float>(repeating: a)
                let vb = SIMD8<Float>(repeating: b), vmu = SIMD8<Float>(repeating: mu)
                var i = 0
                while i &+ 8 <= inner {
                    let gv = load(pg + i).replacing(with: 0, where: .!(load(py + i) .> 0))
                    store(gv * vs - vb - (load(px + i) - vmu) * va, pd + i)
                    i &+= 8
                }
                while i < inner {
                    let gv = py[i] > 0 ? pg[i] : 0
                    pd[i] = gv * scale - b - (px[i] - mu) * a
                    i &+= 1
                }
            }
        }
    }
}
