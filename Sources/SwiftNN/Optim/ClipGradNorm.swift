#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `torch.nn.utils.clip_grad_norm_`: scales the gradients of `parameters` in
/// place so that their joint norm is at most `maxNorm`, and returns that norm
/// (measured before clipping) as a 0-d tensor.
///
/// As in PyTorch, the norm of each gradient is taken first, then the norm of
/// those norms (so `normType` 0 counts the gradients that have a non-zero
/// element); every gradient is multiplied by `min(maxNorm / (norm + 1e-6), 1)`.
/// Parameters without a gradient are skipped; with none at all the norm is 0.
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2,
                         errorIfNonfinite: Bool = false) throws -> Tensor {
    guard !normType.isNaN else { throw SwiftNNError.invalidArgument("norm_type must be a number, got nan") }
    guard !maxNorm.isNaN else { throw SwiftNNError.invalidArgument("max_norm must be a number, got nan") }
    let grads = parameters.compactMap(\.grad)
    if grads.isEmpty { return Tensor(0) }
    let norms = grads.map { g in
        Double(Float(vectorNorm(UnsafeBufferPointer(start: g.data, count: g.count).lazy.map(Double.init), normType)))
    }
    let total = Float(vectorNorm(norms, normType))
    if errorIfNonfinite && !total.isFinite {
        throw SwiftNNError.runtime(
            "The total norm of order \(normType) for gradients from `parameters` is non-finite, so it cannot be "
            + "clipped. To disable this error and scale the gradients by the non-finite norm anyway, "
            + "set `error_if_nonfinite=False`")
    }
    let coefficient = Float(maxNorm) / (total + 1e-6)
    let clamped = coefficient.isNaN ? coefficient : Swift.min(coefficient, 1)
    for g in grads {
        let d = g.data
        ThreadPool.shared.parallelFor(g.count, grain: 1 << 15) { range in
            for i in range { d[i] *= clamped }
        }
    }
    return Tensor(total)
}

/// `torch.linalg.vector_norm` of real values: ±inf give the largest/smallest
/// magnitude, 0 the number of non-zeros, any other p (Σ|x|ᵖ)^(1/p). NaN propagates.
func vectorNorm<S: Sequence>(_ values: S, _ p: Double) -> Double where S.Element == Double {
    var result: Double
    switch p {
    case .infinity, -.infinity:
        let largest = p > 0
        result = largest ? 0 : .infinity
        for v in values {
            let m = abs(v)
            if m.isNaN { return .nan }
            result = largest ? Swift.max(result, m) : Swift.min(result, m)
        }
    case 0:
        result = 0
        for v in values where v != 0 { result += 1 }  // NaN != 0 counts, as in PyTorch
    case 1:
        result = values.reduce(0) { $0 + abs($1) }
    case 2:
        result = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    default:
        result = pow(values.reduce(0) { $0 + pow(abs($1), p) }, 1 / p)
    }
    return result
}
