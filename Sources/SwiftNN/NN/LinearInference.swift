import SwiftNNKernels

/// A Linear's weight as inference multiplies by it: Wᵀ packed once into the GEMM's panels
/// (`PackedRightMatrix`) instead of on every call. Kept on the layer and rebuilt when the
/// weight is replaced (held by identity) or written in place (its storage's version, which
/// optimizer steps, load_state_dict, `copy_` and nn.init bump).
final class PackedLinearWeight {
    private let source: Tensor
    private let version: Int
    let matrix: PackedRightMatrix

    private init?(_ weight: Tensor) {
        guard let matrix = PackedRightMatrix(weight.data, transposed: true, depth: weight.shape[1],
                                             columns: weight.shape[0], ldb: weight.shape[1])
        else { return nil }
        (source, version, self.matrix) = (weight, weight.version, matrix)
    }

    /// The packed copy of `linear`'s weight, repacked if it changed; nil without the memory.
    static func current(_ linear: Linear) -> PackedLinearWeight? {
        InferenceCaches.locked {
            let weight = linear.weight
            if let cached = linear.packedWeight, cached.source === weight, cached.version == weight.version {
                return cached
            }
            linear.packedWeight = PackedLinearWeight(weight)
            return linear.packedWeight
        }
    }
}

extension Linear {
    /// x·Wᵀ + b with the packed weight; nil when it does not apply and the ordinary op must
    /// run: training mode, a graph to record (autograd, ONNX export, a summary's trace), a
    /// batch of a few rows (the row-dot kernel reads W unpacked), or inputs the op would
    /// reject (so its messages are raised).
    func packedForward(_ x: Tensor) throws -> Tensor? {
        guard let packed = packedWeight(for: x) else { return nil }
        return try multiply(x, by: packed, relu: false)
    }

    /// relu(self(x)): in inference one product whose tile applies the ReLU as it writes
    /// (profiled as "Linear+ReLU"), else the two ops.
    func reluForward(_ x: Tensor) throws -> Tensor {
        if let out = try fusedReLUForward(x) { return out }
        return try self(x).relu()
    }

    /// relu(self(x)) as one product, or nil where `packedForward` does not apply.
    func fusedReLUForward(_ x: Tensor) throws -> Tensor? {
        guard let packed = packedWeight(for: x) else { return nil }
        return try Profiler.measure(typeName + "+ReLU", .forward) { try multiply(x, by: packed, relu: true) }
    }

    /// The packed weight when the inference path applies to x, else nil.
    private func packedWeight(for x: Tensor) -> PackedLinearWeight? {
        if training {
            // Training changes the weight every step: drop the copy instead of keeping it stale.
            InferenceCaches.locked { packedWeight = nil }
            return nil
        }
        guard ForwardTrace.active == nil, OpTrace.active == nil else { return nil }
        let weight = self.weight, bias = self.bias
        guard weight.shape == [outFeatures, inFeatures], bias.map({ $0.shape == [outFeatures] }) ?? true,
              x.rank >= 1, x.shape[x.rank - 1] == inFeatures else { return nil }
        if GradMode.isEnabled && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true) { return nil }
        guard PackedRightMatrix.suits(rows: x.shape.dropLast().reduce(1, *), depth: inFeatures, columns: outFeatures)
        else { return nil }
        return PackedLinearWeight.current(self)
    }

    private func multiply(_ x: Tensor, by packed: PackedLinearWeight, relu: Bool) throws -> Tensor {
        let out = try Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
        packed.matrix.multiply(x.data, lda: inFeatures, rows: x.shape.dropLast().reduce(1, *), beta: 0,
                               bias: bias.map { UnsafePointer($0.data) }, into: out.data, ldc: outFeatures, relu: relu)
        return out
    }
}
