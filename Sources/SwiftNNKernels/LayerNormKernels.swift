import SwiftNNMicroKernels

/// Layer norm over rows of `width` (MLP-Mixer normalizes 8192 rows of 128 per call):
/// the per-ISA row loops of norm_body.h on bands of rows split over the thread
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

    /// The gradients, in one pass over g and x: with h = g·w, dx = invstd·(h − mean(h) − x̂·mean(h·x̂))
    /// per row (when dx is given); dw = Σ_rows g·x̂ and db = Σ_rows g (each when given, overwritten).
    /// Rows go in a fixed number of bands (so dw and db do not depend on the thread count), each
    /// band summing its rows into its own dw and db rows, added together in order at the end.
    package static func rowBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
                                    rows: Int, width: Int, weight: UnsafePointer<Float>?,
                                    mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                                    dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        if dx == nil && dw == nil && db == nil { return }
        let bands = Swift.max(1, Swift.min(32, rows, rows &* width / grain))
        let params = dw != nil || db != nil
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: params ? bands &* 2 &* width : 0)
        defer { partial.deallocate() }
        if params { partial.initialize(repeating: 0, count: bands &* 2 &* width) }
        withVector(weight, fill: 1, width: width) { w in
            ThreadPool.shared.parallelFor(bands) { range in
                for band in range {
                    let first = rows &* band / bands, end = rows &* (band &+ 1) / bands, at = first &* width
                    let sums = partial + band &* 2 &* width
                    swiftnn_layer_norm_rows_backward(g + at, x + at, dx.map { $0 + at }, end &- first, width, w,
                                                     mean + first, invstd + first,
                                                     dw == nil ? nil : sums, db == nil ? nil : sums + width)
                }
            }
        }
        guard params else { return }
        for band in 1..<bands { swiftnn_axpy(2 &* width, 1, partial + band &* 2 &* width, partial) }
        dw?.update(from: partial, count: width)
        db?.update(from: partial + width, count: width)
    }
}
