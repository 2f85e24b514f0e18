#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Batch and layer normalization over data viewed as [outer, channels, inner]
/// (batch norm: statistics per channel over outer × inner) or [rows, width]
/// (layer norm: statistics per row, in LayerNormKernels.swift). Batch-norm sums
/// accumulate in Double, so the one-pass Σx, Σx² variance stays accurate for float32 data.
package enum NormKernels {
    /// Minimum elements per parallel task.
    package static let grain = 1 << 14

    /// Per-channel mean and biased variance of x (one tensor, or several joined along
    /// the channels), one pass each.
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

    /// (Σ(x−k), Σ(x−k)²) over `count` floats with eight-lane accumulators: a scalar float
    /// sum is one dependent add per element, and the compiler may not reorder it.
    @inline(__always)
    package static func shiftedSums(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> (Float, Float) {
        var s = SIMD8<Float>(), s2 = SIMD8<Float>()
        let k = SIMD8<Float>(repeating: shift)
        var i = 0
        while i &+ 8 <= count {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - k
            s += v
            s2.accumulateProduct(v, v)
            i &+= 8
        }
        var rs = s.sum(), rs2 = s2.sum()
        while i < count { let v = p[i] - shift; rs += v; rs2 += v * v; i &+= 1 }
        return (rs, rs2)
    }

    /// (Σg, Σg·(x−mean)) over `count` floats, vectorised like `shiftedSums`.
    @inline(__always)
    package static func gradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, mean: Float) -> (Float, Float) {
        var sg = SIMD8<Float>(), sgx = SIMD8<Float>()
        let mu = SIMD8<Float>(repeating: mean)
        var i = 0
        while i &+ 8 <= count {
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            sg += gv
            sgx.accumulateProduct(gv, xv - mu)
            i &+= 8
        }
        var rg = sg.sum(), rgx = sgx.sum()
        while i < count { rg += g[i]; rgx += g[i] * (x[i] - mean); i &+= 1 }
        return (rg, rgx)
    }

    /// y = (x − mean[c])·invstd[c]·w[c] + b[c]; w and b may be nil (1 and 0).
    package static func channelAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              outer: Int, channels: Int, inner: Int,
                              mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
        ThreadPool.shared.parallelFor(outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let c = row % channels
                let scale = invstd[c] * (weight?[c] ?? 1)
                let shift = (bias?[c] ?? 0) - mean[c] * scale
                let p = x + row &* inner, q = y + row &* inner
                for i in 0..<inner { q[i] = p[i] * scale + shift }
            }
        }
    }

    /// Per-channel Σg and Σg·x̂ with x̂ = (x − mean)·invstd, one pass.
    package static func channelGradSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                outer: Int, channels: Int, inner: Int,
                                mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                sumG: UnsafeMutablePointer<Float>, sumGXhat: UnsafeMutablePointer<Float>) {
        ThreadPool.shared.parallelFor(channels, grain: Swift.max(1, grain / Swift.max(1, outer &* inner))) { range in
            for c in range {
                var sg = 0.0, sgx = 0.0
                let mu = mean[c]
                for o in 0..<outer {
                    let off = (o &* channels &+ c) &* inner
                    let pg = g + off, px = x + off
                    let (rg, rgx) = gradientSums(pg, px, count: inner, mean: mu)
                    sg += Double(rg); sgx += Double(rgx)
                }
                sumG[c] = Float(sg)
                sumGXhat[c] = Float(sgx) * invstd[c]
            }
        }
    }

    /// Training-mode input gradient:
    /// dx = w·invstd·(g − Σg/M − x̂·Σg·x̂/M); with `batchStats` false (eval) dx = w·invstd·g.
    package static func channelBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                outer: Int, channels: Int, inner: Int,
                                mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                sumG: UnsafePointer<Float>, sumGXhat: UnsafePointer<Float>, batchStats: Bool) {
        let invM = 1 / Float(outer &* inner)
        ThreadPool.shared.parallelFor(outer &* channels, grain: Swift.max(1, grain / Swift.max(1, inner))) { range in
            for row in range {
                let c = row % channels
                let istd = invstd[c], mu = mean[c]
                let scale = istd * (weight?[c] ?? 1)
                let pg = g + row &* inner, px = x + row &* inner, pd = dx + row &* inner
                if batchStats {
                    let mg = sumG[c] * invM, k = sumGXhat[c] * invM * istd
                    for i in 0..<inner { pd[i] = scale * (pg[i] - mg - (px[i] - mu) * k) }
                } else {
                    for i in 0..<inner { pd[i] = scale * pg[i] }
                }
            }
        }
    }

    /// Local response norm across channels of x [outer, C, inner] (PyTorch's formula):
    /// base[c] = k + α/size·Σ x[c']² over c' in [c − size/2, c + (size−1)/2] (zero padded),
    /// y = x·base^−β. Writes base for the backward pass.
    package static func lrnForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, base: UnsafeMutablePointer<Float>,
                           outer: Int, channels: Int, inner: Int, size: Int, alpha: Float, beta: Float, k: Float) {
        let scale = alpha / Float(size)
        ThreadPool.shared.parallelFor(outer, grain: Swift.max(1, grain / Swift.max(1, channels &* inner &* size))) { range in
            for o in range {
                let block = o &* channels &* inner
                for c in 0..<channels {
                    let b = base + (block &+ c &* inner)
                    b.initialize(repeating: 0, count: inner)
                    let lo = Swift.max(0, c - size / 2), hi = Swift.min(channels - 1, c + (size - 1) / 2)
                    if lo <= hi {
                        for c2 in lo...hi {
                            let p = x + (block &+ c2 &* inner)
                            for i in 0..<inner { b[i] += p[i] * p[i] }
                        }
                    }
                    let p = x + (block &+ c &* inner), q = y + (block &+ c &* inner)
                    for i in 0..<inner {
                        b[i] = k + scale * b[i]
                        q[i] = p[i] * powf(b[i], -beta)
                    }
                }
            }
        }
    }

    /// dx[j] = g[j]·base[j]^−β − (2αβ/size)·x[j]·Σ g[c]·y[c]/base[c] over the c whose window holds j.
    package static func lrnBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                            base: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                            outer: Int, channels: Int, inner: Int, size: Int, alpha: Float, beta: Float) {
        let coef = 2 * alpha * beta / Float(size)
        ThreadPool.shared.parallelFor(outer, grain: Swift.max(1, grain / Swift.max(1, channels &* inner &* size))) { range in
            let t = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, channels &* inner))
            defer { t.deallocate() }
            for o in range {
                let block = o &* channels &* inner
                for i in 0..<(channels &* inner) { t[i] = g[block &+ i] * y[block &+ i] / base[block &+ i] }
                for j in 0..<channels {
                    let d = dx + (block &+ j &* inner)
                    d.initialize(repeating: 0, count: inner)
                    let lo = Swift.max(0, j - (size - 1) / 2), hi = Swift.min(channels - 1, j + size / 2)
                    if lo <= hi {
                        for c in lo...hi {
                            let tc = t + c &* inner
                            for i in 0..<inner { d[i] += tc[i] }
                        }
                    }
                    let off = block &+ j &* inner
                    for i in 0..<inner {
                        d[i] = g[off &+ i] * powf(base[off &+ i], -beta) - coef * x[off &+ i] * d[i]
                    }
                }
            }
        }
    }
}
