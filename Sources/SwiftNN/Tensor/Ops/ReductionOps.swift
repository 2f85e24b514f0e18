/// sum, mean, amax and max(dim): reductions with PyTorch's `dim` / `keepdim` rules.
extension Tensor {
    /// `reduced[i]` tells whether dimension i is folded; also returns the result shape.
    private func reductionPlan(_ dims: [Int]?, keepDim: Bool) throws -> (reduced: [Bool], keptShape: [Int], outShape: [Int]) {
        let wrapped = try Shape.wrapDims(dims, rank: rank)
        var reduced = [Bool](repeating: false, count: rank)
        for d in wrapped where d < rank { reduced[d] = true }
        let kept = zip(shape, reduced).map { $1 ? 1 : $0 }
        let out = keepDim ? kept : zip(shape, reduced).filter { !$0.1 }.map { $0.0 }
        return (reduced, kept, out)
    }

    /// Broadcasts a keepdim-shaped tensor back up to `target`, times `factor` (no autograd).
    func expanded(to target: [Int], times factor: Float = 1) throws -> Tensor {
        if shape == target && factor == 1 { return self }
        let out = try Tensor(uninitializedShape: target)
        // ·1 is exact for every float (−0 and NaN included), so a plain expand is a copy.
        withUnsafePointer(to: factor) { f in
            Pointwise.broadcast(.mul, data, aShape: shape, f, bShape: [], out.data, shape: target)
        }
        return out
    }

    /// Sum over `dims` (all dimensions when nil).
    public func sum(dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        let plan = try reductionPlan(dims, keepDim: keepDim)
        let out = try Tensor(uninitializedShape: plan.outShape)
        Reduce.fold(data, shape: shape, reduced: plan.reduced, out.data, initial: 0, +)
        let inputShape = shape
        OpTrace.record("sum", [self], out, [("dims", .ints(plan.reduced.indices.filter { plan.reduced[$0] })), ("keepdim", .bool(keepDim))])
        return out.recording("SumBackward", inputs: [self], saving: []) { g, _ in
            [try g.reshape(plan.keptShape).expanded(to: inputShape)]
        }
    }

    /// Mean over `dims` (all dimensions when nil).
    public func mean(dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        let plan = try reductionPlan(dims, keepDim: keepDim)
        let n = zip(shape, plan.reduced).filter { $0.1 }.map { $0.0 }.reduce(1, *)
        let out = try Tensor(uninitializedShape: plan.outShape)
        Reduce.fold(data, shape: shape, reduced: plan.reduced, out.data, initial: 0, +)
        let scale = 1 / Float(n)  // n == 0 gives NaN, as PyTorch's mean of an empty tensor
        for i in 0..<out.count { out.data[i] *= scale }
        let inputShape = shape
        OpTrace.record("mean", [self], out, [("dims", .ints(plan.reduced.indices.filter { plan.reduced[$0] })), ("keepdim", .bool(keepDim))])
        return out.recording("MeanBackward", inputs: [self], saving: []) { g, _ in
            [try g.reshape(plan.keptShape).expanded(to: inputShape, times: scale)]
        }
    }

    /// Maximum over `dims`; the gradient is shared evenly among tied maxima (`torch.amax`).
    public func amax(dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        let plan = try reductionPlan(dims, keepDim: keepDim)
        for (d, isReduced) in plan.reduced.enumerated() where isReduced && shape[d] == 0 {
            throw SwiftNNError.outOfRange("amax(): cannot reduce over zero-size dimension \(d) of shape \(describe(shape))")
        }
        let out = try Tensor(uninitializedShape: plan.outShape)
        Reduce.fold(data, shape: shape, reduced: plan.reduced, out.data, initial: -.infinity) {
            $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1)
        }
        let input = self
        return out.recording("AmaxBackward", inputs: [self], savesOutput: true) { g, out in
            let best = try out.reshape(plan.keptShape)
            let mask = try input.broadcastCombine(best) { $0 == $1 ? 1 : 0 }
            let ties = try mask.sum(dims: dims, keepDim: true)
            let share = try g.reshape(plan.keptShape).broadcastCombine(ties, /)
            return [try mask.broadcastCombine(share, *)]
        }
    }

    /// Maximum along one dimension with the index of the (first) maximum, like
    /// `torch.max(x, dim)`; the gradient flows to that index.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: [Int]) {
        let d = try Shape.wrap(dim, rank: rank)
        let size = rank == 0 ? 1 : shape[d]
        guard size > 0 else {
            throw SwiftNNError.outOfRange("max(): cannot reduce over a zero-size dimension \(d) of shape \(describe(shape))")
        }
        let outer = rank == 0 ? 1 : shape[..<d].reduce(1, *)
        let inner = rank == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        var kept = shape
        if rank > 0 { kept[d] = 1 }
        var outShape = kept
        if !keepDim && rank > 0 { outShape.remove(at: d) }
        let values = try Tensor(uninitializedShape: outShape)
        var indices = [Int](repeating: 0, count: values.count)
        indices.withUnsafeMutableBufferPointer {
            Reduce.maxAlong(data, outer: outer, size: size, inner: inner, values: values.data, indices: $0.baseAddress!)
        }
        let inputShape = shape
        values.recording("MaxBackward", inputs: [self], saving: []) { g, _ in
            let gin = try Tensor.zeros(inputShape)
            for o in 0..<outer {
                for i in 0..<inner {
                    let j = o * inner + i
                    gin.data[(o * size + indices[j]) * inner + i] = g.data[j]
                }
            }
            return [gin]
        }
        return (values, indices)
    }

    /// Index of the maximum along `dim` (of the flattened tensor when nil).
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> [Int] {
        try withNoGrad {
            guard let dim else { return try reshape([-1]).max(dim: 0).indices }
            return try max(dim: dim, keepDim: keepDim).indices
        }
    }
}
