import SwiftNNMicroKernels

/// Elementwise ops over whole tensors: the per-ISA loops of SwiftNNMicroKernels
/// (pointwise_body.h) on ranges split over the thread pool. Swift chooses the
/// split; C runs the vectors (a closure per element, as `Elementwise.map` takes,
/// neither vectorises nor threads).
package enum Pointwise {
    /// Elements per task for memory-bound loops (128 KB of floats: a hand-off costs
    /// about what streaming that takes).
    package static let grain = 1 << 15
    /// Elements per task for loops that compute (GELU's exp and erf).
    package static let mathGrain = 1 << 12

    package enum MapOp {
        case relu, neg, gelu, exp
        var code: Int32 {
            switch self {
            case .relu: Int32(SWIFTNN_MAP_RELU.rawValue)
            case .neg: Int32(SWIFTNN_MAP_NEG.rawValue)
            case .gelu: Int32(SWIFTNN_MAP_GELU.rawValue)
            case .exp: Int32(SWIFTNN_MAP_EXP.rawValue)
            }
        }
        var grain: Int { self == .gelu || self == .exp ? mathGrain : Pointwise.grain }
    }

    package enum ZipOp {
        case add, sub, mul, div
        /// (gradient, ReLU output) ↦ gradient where the output is positive, else 0.
        case reluBackward
        /// (gradient, GELU input) ↦ gradient·GELU'(input).
        case geluBackward
        var code: Int32 {
            switch self {
            case .add: Int32(SWIFTNN_ZIP_ADD.rawValue)
            case .sub: Int32(SWIFTNN_ZIP_SUB.rawValue)
            case .mul: Int32(SWIFTNN_ZIP_MUL.rawValue)
            case .div: Int32(SWIFTNN_ZIP_DIV.rawValue)
            case .reluBackward: Int32(SWIFTNN_ZIP_RELU_BACKWARD.rawValue)
            case .geluBackward: Int32(SWIFTNN_ZIP_GELU_BACKWARD.rawValue)
            }
        }
        var grain: Int { self == .geluBackward ? mathGrain : Pointwise.grain }
        /// The same function on one pair (a broadcast of two single elements).
        func callAsFunction(_ a: Float, _ b: Float) -> Float {
            var (a, b, y) = (a, b, Float(0))
            swiftnn_zip(code, &a, &b, &y, 1)
            return y
        }
    }

    /// y[i] = op(x[i]).
    package static func map(_ op: MapOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let code = op.code
        ThreadPool.shared.parallelFor(count, grain: op.grain) { range in
            swiftnn_map(code, x + range.lowerBound, y + range.lowerBound, range.count)
        }
    }

    /// y[i] = op(a[i], b[i]).
    package static func zip(_ op: ZipOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                            _ y: UnsafeMutablePointer<Float>, count: Int) {
        let code = op.code
        ThreadPool.shared.parallelFor(count, grain: op.grain) { range in
            let i = range.lowerBound
            swiftnn_zip(code, a + i, b + i, y + i, range.count)
        }
    }

    /// y[i] = op(a[i], s), or op(s, a[i]) when `scalarFirst`; op is add, sub, mul or div.
    package static func zip(_ op: ZipOp, _ a: UnsafePointer<Float>, scalar s: Float, scalarFirst: Bool = false,
                            _ y: UnsafeMutablePointer<Float>, count: Int) {
        let code = op.code, first: Int32 = scalarFirst ? 1 : 0
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            swiftnn_zip_scalar(code, a + range.lowerBound, s, first, y + range.lowerBound, range.count)
        }
    }

    /// y[i] += alpha·x[i].
    package static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            swiftnn_axpy(range.count, alpha, x + range.lowerBound, y + range.lowerBound)
        }
    }
}
