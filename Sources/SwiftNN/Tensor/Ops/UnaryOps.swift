#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pointwise functions. Backward passes reuse the saved input or output,
/// whichever the derivative is cheaper in.
extension Tensor {
    @inline(__always)
    func mapped(_ f: (Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Elementwise.map(data, out.data, count: count, f)
        return out
    }

    /// out[i] = f(self[i], other[i]) for two tensors of the same shape (no autograd).
    @inline(__always)
    func zipped(_ other: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Elementwise.zip(data, other.data, out.data, count: count, f)
        return out
    }

    /// `mapped` and `zipped` with a vectorised, threaded kernel (Pointwise).
    func mapped(_ op: Pointwise.MapOp) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Pointwise.map(op, data, out.data, count: count)
        return out
    }

    func zipped(_ other: Tensor, _ op: Pointwise.ZipOp) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Pointwise.zip(op, data, other.data, out.data, count: count)
        return out
    }

    /// `mapped` and `zipped` for transcendental functions, split over the thread pool.
    func mappedInParallel(_ f: (Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Elementwise.parallelMap(data, out.data, count: count, f)
        return out
    }

    func zippedInParallel(_ other: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Elementwise.parallelZip(data, other.data, out.data, count: count, f)
        return out
    }

    public func relu() throws -> Tensor {
        // NaN stays NaN (as in PyTorch): `x > 0 ? x : 0` would turn it into 0.
        try mapped(.relu).recording("ReluBackward", inputs: [self], saving: [], savesOutput: true) { g, out in
            [try g.zipped(out, .reluBackward)]
        }
    }

    public func sigmoid() throws -> Tensor {
        try mapped { 1 / (1 + expf(-$0)) }.recording("SigmoidBackward", inputs: [self], saving: [], savesOutput: true) { g, out in
            [try g.zipped(out) { $0 * $1 * (1 - $1) }]
        }
    }

    public func tanh() throws -> Tensor {
        try mapped { tanhf($0) }.recording("TanhBackward", inputs: [self], saving: [], savesOutput: true) { g, out in
            [try g.zipped(out) { $0 * (1 - $1 * $1) }]
        }
    }

    public func exp() throws -> Tensor {
        try mapped(.exp).recording("ExpBackward", inputs: [self], saving: [], savesOutput: true) { g, out in
            [try g.zipped(out, .mul)]
        }
    }

    public func log() throws -> Tensor {
        let input = self
        return try mapped { logf($0) }.recording("LogBackward", inputs: [self]) { g, _ in
            [try g.zipped(input, /)]
        }
    }
}
