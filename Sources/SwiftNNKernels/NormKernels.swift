#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Normalization kernels: batch norm over [outer, channels, inner] (BatchNormKernels.swift),
/// layer norm over [rows, width] (LayerNormKernels.swift) and local response norm (here).
package enum NormKernels {
    /// Minimum elements per parallel task.
    package static let grain = 1 << 14

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
