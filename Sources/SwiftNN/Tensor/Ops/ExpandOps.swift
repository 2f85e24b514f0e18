/// expand, repeat and clone: broadcasting copies with their gradients.
extension Tensor {
    /// PyTorch's `expand`: size-1 dimensions are broadcast to `sizes` (-1 keeps a
    /// dimension) and new leading dimensions may be added. The result is a copy (tensors
    /// are contiguous); the gradient sums back over the broadcast dimensions.
    public func expand(_ sizes: [Int]) throws -> Tensor {
        guard sizes.count >= rank else {
            throw SwiftNNError.runtime(
                "expand: the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
        }
        let lead = sizes.count - rank
        var target = sizes
        for (i, size) in sizes.enumerated() {
            let own = i >= lead ? shape[i - lead] : nil
            if size == -1, let own {
                target[i] = own
            } else if size < 0 || (own != nil && own != 1 && own != size) {
                throw SwiftNNError.runtime(
                    "The expanded size of the tensor (\(size)) must match the existing size (\(own ?? size)) at non-singleton "
                    + "dimension \(i).  Target sizes: \(describe(sizes)).  Tensor sizes: \(describe(shape))")
            }
        }
        if target == shape { return self }
        try validateShape(target)
        let inputShape = shape
        return try expanded(to: target).recording("ExpandBackward", inputs: [self], saving: []) { g, _ in
            [try g.sumToShape(inputShape)]
        }
    }

    /// PyTorch's `repeat`: tiles the tensor `repeats[i]` times along dimension i
    /// (leading repeats add dimensions).
    public func repeated(_ repeats: [Int]) throws -> Tensor {
        guard repeats.count >= rank else {
            throw SwiftNNError.runtime(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
        }
        guard repeats.allSatisfy({ $0 >= 0 }) else {
            throw SwiftNNError.runtime("Trying to create tensor with negative dimension: repeats \(describe(repeats))")
        }
        let padded = [Int](repeating: 1, count: repeats.count - rank) + shape
        // Tile as a broadcast: [r0, s0, r1, s1, ...] from [1, s0, 1, s1, ...], then merge pairs.
        let spread = padded.flatMap { [1, $0] }
        let tiled = zip(repeats, padded).flatMap { [$0, $1] }
        let merged = zip(repeats, padded).map { $0 * $1 }
        try validateShape(merged)
        var tiles = try Tensor(shape: spread, storage: storage).expanded(to: tiled)
        if tiles.storage === storage { tiles = try tiles.clonedData() }  // all repeats 1: still a copy
        let inputShape = shape
        return Tensor(shape: merged, storage: tiles.storage).recording("RepeatBackward", inputs: [self], saving: []) { g, _ in
            [try Tensor(shape: tiled, storage: g.storage).sumToShape(spread).reshape(inputShape)]
        }
    }

    /// A copy in the autograd graph (`clone`); the gradient passes through unchanged.
    public func cloned() throws -> Tensor {
        try clonedData().recording("CloneBackward", inputs: [self], saving: []) { g, _ in [g] }
    }
}
