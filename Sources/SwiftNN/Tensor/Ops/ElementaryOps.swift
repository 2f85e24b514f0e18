#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// abs, sqrt, clamp and pow, each forward next to its gradient (PyTorch's derivatives.yaml rules).
extension Tensor {
    /// |x|; the gradient is sign(x), 0 at 0.
    public func abs() throws -> Tensor {
        let input = self
        return try mapped { Swift.abs($0) }.recording("AbsBackward", inputs: [self]) { g, _ in
            [try g.zipped(input) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    /// √x (NaN below 0); the gradient is 1 / (2√x).
    public func sqrt() throws -> Tensor {
        try mapped { sqrtf($0) }.recording("SqrtBackward", inputs: [self], saving: [], savesOutput: true) { g, out in
            [try g.zipped(out) { $0 / (2 * $1) }]
        }
    }

    /// Limits every element to [min, max] (all become max when min > max; NaN stays NaN).
    /// The gradient passes where min <= x <= max.
    public func clamp(min low: Float?, max high: Float?) throws -> Tensor {
        guard low != nil || high != nil else {
            throw SwiftNNError.runtime("clamp: at least one of 'min' or 'max' must not be None")
        }
        let lo = low ?? -.infinity, hi = high ?? .infinity, input = self
        return try mapped { $0.isNaN ? $0 : Swift.min(Swift.max($0, lo), hi) }
            .recording("ClampBackward", inputs: [self]) { g, _ in
                [try g.zipped(input) { $1 >= lo && $1 <= hi ? $0 : 0 }]
            }
    }

    /// self ** exponent, broadcasting. d/dx = e·x^(e-1) (0 where e = 0);
    /// d/de = x^e·log x (0 where x = 0 and e >= 0), computed only when the exponent requires grad.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let (a, b) = (self, exponent)
        return try broadcastCombine(b, powf).recording("PowBackward", inputs: [a, b]) { g, _ in
            let dx = a.requiresGrad ? try a.broadcastCombine(b) { x, e in e == 0 ? 0 : e * powf(x, e - 1) } : nil
            let de = b.requiresGrad ? try a.broadcastCombine(b) { x, e in x == 0 && e >= 0 ? 0 : powf(x, e) * logf(x) } : nil
            return [try dx.map { try g.broadcastCombine($0, *).sumToShape(a.shape) },
                    try de.map { try g.broadcastCombine($0, *).sumToShape(b.shape) }]
        }
    }
}
