/// take and put: reading and writing elements at flat (row-major) positions. Every
/// indexing form (`t[2, ::3]`, `t[mask]`, `t[idx] = v`, gather, index_select) is
/// turned into flat positions by the caller and comes down to these two.
extension Tensor {
    /// Elements at the flat positions `indices`, shaped `shape`. The gradient is
    /// scattered back, adding where a position was read more than once.
    public func take(_ indices: [Int], shape outShape: [Int]) throws -> Tensor {
        try validateShape(outShape)
        guard outShape.reduce(1, *) == indices.count else {
            throw SwiftNNError.invalidArgument(
                "take: shape \(describe(outShape)) holds \(outShape.reduce(1, *)) elements but \(indices.count) indices were given")
        }
        try checkFlatIndices(indices)
        let out = try Tensor(uninitializedShape: outShape)
        let src = data, dst = out.data
        for (i, index) in indices.enumerated() { dst[i] = src[index] }
        let inputShape = shape
        return out.recording("TakeBackward", inputs: [self], saving: []) { g, _ in
            let gin = try Tensor.zeros(inputShape)
            let gsrc = g.data, gdst = gin.data
            for (i, index) in indices.enumerated() { gdst[index] += gsrc[i] }
            return [gin]
        }
    }

    /// A copy with the flat positions `indices` set to `values` (one value per index;
    /// the last write wins for repeated positions, as PyTorch's `index_put_` without
    /// accumulate leaves unspecified). Gradients: the overwritten positions get none; `values`
    /// gets the gradient at its positions.
    public func putting(_ indices: [Int], values: Tensor) throws -> Tensor {
        guard values.count == indices.count else {
            throw SwiftNNError.invalidArgument(
                "shape mismatch: \(values.count) values cannot be put into \(indices.count) positions")
        }
        try checkFlatIndices(indices)
        let out = try clonedData()
        let src = values.data, dst = out.data
        for (i, index) in indices.enumerated() { dst[index] = src[i] }
        let valueShape = values.shape
        return out.recording("IndexPutBackward", inputs: [self, values], saving: []) { g, _ in
            let gin = try g.clonedData()
            let gvalues = try Tensor(uninitializedShape: valueShape)
            for (i, index) in indices.enumerated() {
                gvalues.data[i] = g.data[index]
            }
            for index in indices { gin.data[index] = 0 }
            return [gin, gvalues]
        }
    }

    private func checkFlatIndices(_ indices: [Int]) throws {
        for index in indices where index < 0 || index >= count {
            throw SwiftNNError.outOfRange("index \(index) is out of bounds for a tensor of \(count) elements")
        }
    }
}
