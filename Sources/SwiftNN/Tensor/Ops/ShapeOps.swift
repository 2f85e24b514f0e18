/// Reshaping and reordering dimensions. `reshape` is a view (tensors are always
/// contiguous); `permute` and `transpose` copy.
extension Tensor {
    /// A view with a new shape; one dimension may be -1 and is inferred.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw SwiftNNError.invalidArgument("invalid shape \(describe(newShape)): only one dimension can be -1 and none may be below it")
        }
        var known = 1
        for d in newShape where d != -1 {
            // A product past Int.max cannot match any tensor; say so instead of trapping.
            let (product, overflow) = known.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SwiftNNError.invalidArgument("reshape: the requested shape is too large") }
            known = product
        }
        if let i = inferred.first {
            guard known != 0, count % known == 0 else {
                throw SwiftNNError.invalidArgument("shape \(describe(newShape)) is invalid for input of size \(count)")
            }
            resolved[i] = count / known
        }
        guard resolved.reduce(1, *) == count else {
            throw SwiftNNError.invalidArgument("shape \(describe(newShape)) is invalid for input of size \(count)")
        }
        if resolved == shape { return self }
        let inputShape = shape
        let view = Tensor(shape: resolved, storage: storage).recording("ViewBackward", inputs: [self], saving: []) { g, _ in
            [try g.reshape(inputShape)]
        }
        if view.requiresGrad { storage.hasRecordedViews = true }
        return view
    }

    /// PyTorch's `view`; identical to `reshape` because tensors are contiguous.
    public func view(_ newShape: [Int]) throws -> Tensor { try reshape(newShape) }

    /// Merges dimensions `startDim...endDim` into one (`torch.flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshape([1]) }
        let s = try Shape.wrap(startDim, rank: rank), e = try Shape.wrap(endDim, rank: rank)
        guard s <= e else {
            throw SwiftNNError.invalidArgument("flatten() has invalid args: start_dim (\(startDim)) cannot come after end_dim (\(endDim))")
        }
        let merged = shape[s...e].reduce(1, *)
        return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Inserts a dimension of size 1 at `dim` (which may equal `rank`).
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        let d = try Shape.wrap(dim, rank: rank + 1)
        var s = shape
        s.insert(1, at: d)
        return try reshape(s)
    }

    /// Removes dimension `dim` if it has size 1.
    public func squeeze(_ dim: Int) throws -> Tensor {
        let d = try Shape.wrap(dim, rank: rank)
        guard rank > 0, shape[d] == 1 else { return self }
        var s = shape
        s.remove(at: d)
        return try reshape(s)
    }

    /// Removes size-1 dimensions: every one (dims nil) or those listed (others stay).
    public func squeeze(dims: [Int]?) throws -> Tensor {
        guard let dims else {
            let kept = shape.filter { $0 != 1 }
            return kept.count == rank ? self : try reshape(kept)
        }
        let r = Swift.max(rank, 1)
        var out = self
        for d in Set(dims.map { (-r..<r).contains($0) ? ($0 + r) % r : $0 }).sorted(by: >) { out = try out.squeeze(d) }
        return out
    }

    /// Reorders dimensions: result dimension i is input dimension `dims[i]`.
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else {
            throw SwiftNNError.invalidArgument(
                "permute: number of dims (\(dims.count)) does not match the tensor's rank (\(rank))")
        }
        let order = try dims.map { try Shape.wrap($0, rank: rank) }
        guard Set(order).count == rank else {
            throw SwiftNNError.invalidArgument("permute: repeated dim in \(dims)")
        }
        if order == Array(0..<rank) { return self }
        let out = try Tensor(uninitializedShape: order.map { shape[$0] })
        permuteCopy(data, shape: shape, order: order, out.data)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        OpTrace.record("permute", [self], out, [("dims", .ints(order))])
        return out.recording("PermuteBackward", inputs: [self], saving: []) { g, _ in [try g.permute(inverse)] }
    }

    /// Swaps two dimensions.
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try Shape.wrap(dim0, rank: rank), b = try Shape.wrap(dim1, rank: rank)
        if rank < 2 || a == b { return self }
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permute(order)
    }
}
