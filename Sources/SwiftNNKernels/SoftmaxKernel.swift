#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNMicroKernels

/// Softmax and log-softmax along the middle axis of a [outer, size, inner]
/// layout, max-shifted so large logits do not overflow. Contiguous rows (inner 1,
/// the usual last-dimension softmax) run in the per-ISA vector loops, rows split
/// over the thread pool; strided ones in the scalar loops here.
package enum SoftmaxKernel {
    /// Elements per parallel task.
    static let grain = 1 << 13

    package static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        outer: Int, size: Int, inner: Int, log logOutput: Bool) {
        if inner == 1 {
            let flag: Int32 = logOutput ? 1 : 0
            ThreadPool.shared.parallelFor(outer, grain: Swift.max(1, grain / Swift.max(1, size))) { range in
                let at = range.lowerBound &* size
                swiftnn_softmax_rows(x + at, y + at, range.count, size, flag)
            }
            return
        }
        for o in 0..<outer {
            for i in 0..<inner {
                let start = o &* size &* inner &+ i
                let src = x + start, dst = y + start
                var peak = -Float.infinity
                for k in 0..<size { peak = max(peak, src[k &* inner]) }
                if peak == -.infinity { peak = 0 }  // an all -inf row stays NaN-free until the division
                var total: Float = 0
                for k in 0..<size {
                    let e = expf(src[k &* inner] - peak)
                    total += e
                    if !logOutput { dst[k &* inner] = e }
                }
                if logOutput {
                    // (x − peak) − log Σ, not x − (peak + log Σ): the latter rounds log Σ
                    // away when |peak| is large.
                    let logTotal = logf(total)
                    for k in 0..<size { dst[k &* inner] = (src[k &* inner] - peak) - logTotal }
                } else {
                    let scale = 1 / total
                    for k in 0..<size { dst[k &* inner] *= scale }
                }
            }
        }
    }

    /// dx = y·(g − Σ g·y) for softmax, dx = g − exp(y)·Σ g for log-softmax (y = output).
    package static func backward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         outer: Int, size: Int, inner: Int, log logOutput: Bool) {
        if inner == 1 {
            let flag: Int32 = logOutput ? 1 : 0
            ThreadPool.shared.parallelFor(outer, grain: Swift.max(1, grain / Swift.max(1, size))) { range in
                let at = range.lowerBound &* size
                swiftnn_softmax_rows_backward(g + at, y + at, dx + at, range.count, size, flag)
            }
            return
        }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o &* size &* inner &+ i
                var dot: Float = 0
                for k in 0..<size {
                    let j = base &+ k &* inner
                    dot += logOutput ? g[j] : g[j] * y[j]
                }
                for k in 0..<size {
                    let j = base &+ k &* inner
                    dx[j] = logOutput ? g[j] - expf(y[j]) * dot : y[j] * (g[j] - dot)
                }
            }
        }
    }
}
