#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pointwise functions. Backward passes reuse the saved input or output,
/// whichever the derivative is cheaper in.
extension Tensor {
    @inline(__always)
    func mapped(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        Elementwise.map(data, out.data, count: count, f)
        return out
    }

    /// out[i] = f(self[i], other[i]) for two tensors of the same shape (no autograd).
    @inline(__always)
    func zipped(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        Elementwise.zip(data, other.data, out.data, count: count, f)
        return out
    }

    public func relu() -> Tensor {
        // NaN stays NaN (as in PyTorch): `x > 0 ? x : 0` would turn it into 0.
        mapped { $0 < 0 ? 0 : $0 }.recording("ReluBackward", inputs: [self]) { g, out in
            [g.zipped(out) { $1 > 0 ? $0 : 0 }]
        }
    }

    public func sigmoid() -> Tensor {
        mapped { 1 / (1 + expf(-$0)) }.recording("SigmoidBackward", inputs: [self]) { g, out in
            [g.zipped(out) { $0 * $1 * (1 - $1) }]
        }
    }

    public func tanh() -> Tensor {
        mapped { tanhf($0) }.recording("TanhBackward", inputs: [self]) { g, out in
            [g.zipped(out) { $0 * (1 - $1 * $1) }]
        }
    }

    public func exp() -> Tensor {
        mapped { expf($0) }.recording("ExpBackward", inputs: [self]) { g, out in
            [g.zipped(out, *)]
        }
    }

    public func log() -> Tensor {
        let input = self
        return mapped { logf($0) }.recording("LogBackward", inputs: [self]) { g, _ in
            [g.zipped(input, /)]
        }
    }
}
