import SwiftNNMicroKernels

/// Layer norm over rows of `width` (MLP-Mixer normalizes 8192 rows of 128 per call):
/// the per-ISA row loops of pointwise_body.h on bands of rows split over the thread
/// pool. Statistics are two-pass in float: the mean first, then Σ(x − mean)², which
/// cannot cancel. A missing weight or bias acts as ones or zeros.
extension NormKernels {
    /// `pointer`, or a buffer of `width` copies of `fill` made for this call (for nil weight or bias).
    private static func withVector<R>(_ pointer: UnsafePointer<Float>?, fill: Float, width: Int,
                                      _ body: (UnsafePointer<Float>) -> R) -> R {
        if let pointer { return body(pointer) }
        let filled = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, width))
        defer { filled.deallocate() }
        filled.initialize(repeating: fill, count: width)
        return body(filled)
    }

    /// Rows per task: about `grain` elements.
    private static func rowGrain(_ width: Int) -> Int { Swift.max(1, grain / Swift.max(1, width)) }

    /// y = x̂·w + b per row; saves each row's mean and invstd.
    package static func rowForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float,
                                   weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                   mean: UnsafeMutablePointer<Float>, invstd: UnsafeMutablePointer<Float>) {
        withVector(weight, fill: 1, width: width) { w in
            withVector(bias, fill: 0, width: width) { b in
                ThreadPool.shared.parallelFor(rows, grain: rowGrain(width)) { range in
                    let r = range.lowerBound, at = r &* width
                    swiftnn_layer_norm_rows(x + at, y + at, range.count, width, eps, w, b, mean + r, invstd + r)
                }
            }
        }
    }

    /// Input gradient: with h = g·w, dx = invstd·(h − mean(h) − x̂·mean(h·x̂)).
    package static func rowBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    rows: Int, width: Int, weight: UnsafePointer<Float>?,
                                    mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>) {
        withVector(weight, fill: 1, width: width) { w in
            ThreadPool.shared.parallelFor(rows, grain: rowGrain(width)) { range in
                let r = range.lowerBound, at = r &* width
                swiftnn_layer_norm_rows_backward(g + at, x + at, dx + at, range.count, width, w, mean + r, invstd + r)
            }
        }
    }

    /// Σ over rows of g·x̂ (into dw) and of g (into db), per column: each thread sums
    /// its band of rows into its own pair of rows, added together at the end.
    package static func rowParamGrads(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, width: Int,
                                      mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                      dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        if dw == nil && db == nil { return }
        let bands = Swift.max(1, Swift.min(ThreadPool.shared.threadCount, rows &* width / grain))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: bands &* 2 &* width)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: bands &* 2 &* width)
        ThreadPool.shared.parallelFor(bands) { range in
            for band in range {
                let first = rows &* band / bands, end = rows &* (band &+ 1) / bands
                let sw = partial + band &* 2 &* width
                swiftnn_layer_norm_param_grads(g + first &* width, x + first &* width, end &- first, width,
                                               mean + first, invstd + first, sw, sw + width)
            }
        }
        for band in 1..<bands { swiftnn_axpy(2 &* width, 1, partial + band &* 2 &* width, partial) }
        dw?.update(from: partial, count: width)
        db?.update(from: partial + width, count: width)
    }
}
