/// cat, stack, narrow/split/chunk, constant pad and amin. Every one is a box
/// copy (`BoxCopy`) forward and the mirror box copy backward.
extension Tensor {
    /// Joins tensors along `dim`; all must share the other dimensions (`torch.cat`).
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw SwiftNNError.invalidArgument("cat(): expected a non-empty list of tensors")
        }
        let rank = first.rank
        guard rank > 0 else { throw SwiftNNError.invalidArgument("cat(): zero-dimensional tensor cannot be concatenated") }
        let d = try Shape.wrap(dim, rank: rank)
        for (i, t) in tensors.enumerated() {
            var a = t.shape, b = first.shape
            guard a.count == rank else {
                throw SwiftNNError.invalidArgument(
                    "cat(): tensors must have the same number of dimensions: tensor 0 has shape \(describe(first.shape)) "
                    + "but tensor \(i) has shape \(describe(t.shape))")
            }
            a[d] = 0; b[d] = 0
            guard a == b else {
                throw SwiftNNError.invalidArgument(
                    "cat(): sizes of tensors must match except in dimension \(d): tensor 0 has shape "
                    + "\(describe(first.shape)) but tensor \(i) has shape \(describe(t.shape))")
            }
        }
        var outShape = first.shape
        outShape[d] = tensors.reduce(0) { $0 + $1.shape[d] }
        let out = try Tensor(uninitializedShape: outShape)
        var offsets: [Int] = []
        var offset = 0
        for t in tensors {
            offsets.append(offset)
            var start = [Int](repeating: 0, count: rank)
            start[d] = offset
            BoxCopy.copy(t.data, shape: t.shape, start: [Int](repeating: 0, count: rank), out.data, shape: outShape,
                         start: start, extent: t.shape)
            offset += t.shape[d]
        }
        OpTrace.record("cat", tensors, out, [("dim", .int(d))])
        return out.recording("CatBackward", inputs: tensors, saving: []) { g, _ in
            try zip(tensors, offsets).map { t, offset in
                t.requiresGrad ? try g.narrowCopy(dim: d, start: offset, length: t.shape[d]) : nil
            }
        }
    }

    /// Joins tensors of one shape along a new dimension `dim` (`torch.stack`).
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw SwiftNNError.invalidArgument("stack(): expected a non-empty list of tensors")
        }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw SwiftNNError.invalidArgument(
                "stack(): expects each tensor to be equal size, but got \(describe(first.shape)) at entry 0 "
                + "and \(describe(t.shape)) at entry \(i)")
        }
        let d = try Shape.wrap(dim, rank: first.rank + 1)
        return try cat(tensors.map { try $0.unsqueeze(d) }, dim: d)
    }

    /// Elements start..<start+length along `d` (already wrapped and checked), no autograd.
    private func narrowCopy(dim d: Int, start: Int, length: Int) throws -> Tensor {
        var outShape = shape
        outShape[d] = length
        let out = try Tensor(uninitializedShape: outShape)
        var from = [Int](repeating: 0, count: rank)
        from[d] = start
        BoxCopy.copy(data, shape: shape, start: from, out.data, shape: outShape,
                     start: [Int](repeating: 0, count: rank), extent: outShape)
        return out
    }

    /// A copy of `length` elements along `dim` from `start` (`torch.narrow`).
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        guard rank > 0 else { throw SwiftNNError.invalidArgument("narrow() cannot be applied to a 0-dim tensor") }
        let d = try Shape.wrap(dim, rank: rank)
        guard start >= 0, length >= 0, start + length <= shape[d] else {
            throw SwiftNNError.outOfRange(
                "narrow(): start (\(start)) + length (\(length)) exceeds dimension size (\(shape[d])) "
                + "of dimension \(d) in shape \(describe(shape))")
        }
        let inputShape = shape
        return try narrowCopy(dim: d, start: start, length: length).recording("NarrowBackward", inputs: [self], saving: []) { g, _ in
            let gin = try Tensor.zeros(inputShape)
            var to = [Int](repeating: 0, count: inputShape.count)
            to[d] = start
            BoxCopy.copy(g.data, shape: g.shape, start: [Int](repeating: 0, count: g.rank), gin.data, shape: inputShape,
                         start: to, extent: g.shape)
            return [gin]
        }
    }

    /// Pieces of the given sizes along `dim`; the sizes must add up to the dimension (`torch.split` with a list).
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw SwiftNNError.invalidArgument("split() cannot be applied to a 0-dim tensor") }
        let d = try Shape.wrap(dim, rank: rank)
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[d] else {
            throw SwiftNNError.invalidArgument(
                "split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at dimension \(d)), "
                + "but got split_sizes=\(sizes)")
        }
        var start = 0
        return try sizes.map { n in
            defer { start += n }
            return try narrow(dim: d, start: start, length: n)
        }
    }

    /// Pieces of `size` along `dim`, the last one smaller if needed (`torch.split` with an int).
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw SwiftNNError.invalidArgument("split() cannot be applied to a 0-dim tensor") }
        let n = shape[try Shape.wrap(dim, rank: rank)]
        guard size > 0 || (size == 0 && n == 0) else {
            throw SwiftNNError.invalidArgument("split(): split_size can only be 0 if dimension size is 0, but got \(size) for dimension size \(n)")
        }
        if n == 0 { return [self] }
        return try split(sizes: stride(from: 0, to: n, by: size).map { Swift.min(size, n - $0) }, dim: dim)
    }

    /// `chunks` pieces of ceil(n / chunks) along `dim` (fewer when they run out), as `torch.chunk`.
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        guard chunks > 0 else { throw SwiftNNError.invalidArgument("chunk expects `chunks` to be greater than 0, got: \(chunks)") }
        guard rank > 0 else { throw SwiftNNError.invalidArgument("chunk expects at least a 1-dimensional tensor") }
        let n = shape[try Shape.wrap(dim, rank: rank)]
        return try split(size: Swift.max(1, (n + chunks - 1) / chunks), dim: dim)
    }

    /// Constant padding (`F.pad(x, pad, value=...)`): `pad` lists (before, after)
    /// pairs starting from the last dimension; negative values crop.
    public func pad(_ pad: [Int], value: Float = 0) throws -> Tensor {
        guard pad.count % 2 == 0, pad.count / 2 <= rank else {
            throw SwiftNNError.invalidArgument(
                "pad: padding length \(pad.count) must be even and at most twice the input rank "
                + "(input shape \(describe(shape)))")
        }
        var before = [Int](repeating: 0, count: rank), after = before
        for i in 0..<(pad.count / 2) {
            before[rank - 1 - i] = pad[2 * i]
            after[rank - 1 - i] = pad[2 * i + 1]
        }
        let outShape = (0..<rank).map { shape[$0] + before[$0] + after[$0] }
        guard outShape.allSatisfy({ $0 >= 0 }) else {
            throw SwiftNNError.invalidArgument("pad: padding \(pad) makes the shape \(describe(shape)) negative: \(describe(outShape))")
        }
        // The overlap of input and output: where it starts in each, and its size.
        let srcStart = before.map { Swift.max(0, -$0) }
        let dstStart = before.map { Swift.max(0, $0) }
        let extent = (0..<rank).map { Swift.max(0, Swift.min(shape[$0] - srcStart[$0], outShape[$0] - dstStart[$0])) }
        let out = try Tensor.full(outShape, value: value)
        BoxCopy.copy(data, shape: shape, start: srcStart, out.data, shape: outShape, start: dstStart, extent: extent)
        let inputShape = shape
        return out.recording("ConstantPadNdBackward", inputs: [self], saving: []) { g, _ in
            let gin = try Tensor.zeros(inputShape)
            BoxCopy.copy(g.data, shape: outShape, start: dstStart, gin.data, shape: inputShape, start: srcStart, extent: extent)
            return [gin]
        }
    }

    /// Minimum over `dims`; the gradient is shared evenly among tied minima (`torch.amin`).
    public func amin(dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        for d in try Shape.wrapDims(dims, rank: rank) where d < rank && shape[d] == 0 {
            throw SwiftNNError.outOfRange("amin(): cannot reduce over zero-size dimension \(d) of shape \(describe(shape))")
        }
        return try negated().amax(dims: dims, keepDim: keepDim).negated()
    }
}
