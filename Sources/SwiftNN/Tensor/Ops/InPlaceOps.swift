/// In-place ops (`add_`, `relu_`, `+=`, ...) in terms of their out-of-place forms.
///
/// The out-of-place result is computed, written into this tensor's storage (so views
/// sharing it see the new values) and the storage's version is bumped. When autograd
/// records the op, the caller gets a new `Tensor` over the same storage carrying the
/// op's gradient function, while earlier consumers keep the old object and its graph:
/// their gradients stay right, and any backward that saved the overwritten values
/// finds the version changed and raises PyTorch's error instead of a wrong gradient.
extension Tensor {
    /// Applies `op` to this tensor in place; returns the tensor to use from now on
    /// (this one when autograd does not record the write).
    public func updatedInPlace(_ op: (Tensor) throws -> Tensor) throws -> Tensor {
        if GradMode.isEnabled && isLeaf && requiresGrad {
            throw SwiftNNError.runtime("a leaf Variable that requires grad is being used in an in-place operation.")
        }
        var result = try op(self)
        if result === self { return self }  // the op changed nothing (dropout in eval mode)
        guard result.shape == shape else {
            throw SwiftNNError.runtime(
                "output with shape \(describe(shape)) doesn't match the broadcast shape \(describe(result.shape))")
        }
        guard let fn = result.gradFn, result.requiresGrad else {
            try write(result)
            // Recorded with grad on, a constant result (fill_) cuts the old history off; a
            // trace (ONNX export) needs a tensor that stands for the new value.
            guard (GradMode.isEnabled && gradFn != nil) || OpTrace.active != nil else { return self }
            let fresh = Tensor(shape: shape, storage: storage)
            OpTrace.alias(fresh, to: result)
            return fresh
        }
        if fn.savedVersions.contains(where: { $0.storage === storage }) {
            // The backward reads the value about to be overwritten: give it a copy, as
            // PyTorch's in-place formulas keep the original self.
            result = try op(try cloned())
        }
        guard let recorded = result.gradFn, result !== self, result.storage !== storage else {
            throw SwiftNNError.runtime("in-place op returned its input; nothing to record")
        }
        try write(result)
        // Other views of this storage keep their old histories: using one of them in a
        // later op is an error (`historyIsStale`) rather than a silently wrong gradient.
        if storage.hasRecordedViews { storage.rebasedAtVersion = storage.version }
        let rebound = Tensor(shape: shape, storage: storage, requiresGrad: true)
        rebound.gradFn = recorded
        OpTrace.alias(rebound, to: result)
        if recorded.outputVersion != nil { recorded.outputVersion = storage.version }
        return rebound
    }

    /// Copies `result` (same shape) into this storage and records the write.
    private func write(_ result: Tensor) throws {
        if result.storage !== storage {
            data.update(from: result.data, count: count)
        }
        bumpVersion()
    }

    /// `fill_`: every element becomes `value` (not recorded: the result holds no gradient).
    public func filledInPlace(_ value: Float) throws -> Tensor {
        try updatedInPlace { try Tensor.full($0.shape, value: value) }
    }

    /// `copy_`: the elements of `source`, broadcast to this shape; the gradient flows to `source`.
    public func copiedInPlace(from source: Tensor) throws -> Tensor {
        try updatedInPlace { try source.expand($0.shape).cloned() }
    }

    /// `normal_`: fresh draws from N(mean, std²) of the default generator.
    public func normalInPlace(mean: Float, std: Float) throws -> Tensor {
        guard mean.isFinite && std.isFinite && std >= 0 else {
            throw SwiftNNError.invalidArgument("normal_ expects a finite mean and std >= 0, got mean=\(mean), std=\(std)")
        }
        return try updatedInPlace { t in
            let draws = try Tensor(uninitializedShape: t.shape)
            Init.normal(draws, mean: mean, std: std)
            return draws
        }
    }

    /// `uniform_`: fresh draws from U(low, high) of the default generator.
    public func uniformInPlace(low: Float, high: Float) throws -> Tensor {
        guard low.isFinite && high.isFinite && low <= high else {
            throw SwiftNNError.invalidArgument("uniform_ expects finite bounds with from <= to, got from=\(low), to=\(high)")
        }
        return try updatedInPlace { t in
            let draws = try Tensor(uninitializedShape: t.shape)
            Init.uniform(draws, low: low, high: high)
            return draws
        }
    }
}
