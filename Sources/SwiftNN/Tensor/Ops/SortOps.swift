/// sort and topk: values along one dimension in order, with the index each came from.
/// The gradient of a value flows back to the element it was taken from.
extension Tensor {
    /// The elements along `dim` sorted (stable: equal elements keep their order), like
    /// `torch.sort(x, dim, descending, stable=True)`. NaN sorts above every number, as in PyTorch.
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: [Int]) {
        let size = rank == 0 ? 1 : shape[try Shape.wrap(dim, rank: rank)]
        return try selectAlong(dim: dim, count: size, largest: descending, name: "SortBackward")
    }

    /// The `k` largest (or smallest) elements along `dim`, in order, like
    /// `torch.topk(x, k, dim, largest, sorted=True)`; ties keep the lower index first.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: [Int]) {
        let size = rank == 0 ? 1 : shape[try Shape.wrap(dim, rank: rank)]
        guard k >= 0 && k <= size else {
            throw SwiftNNError.outOfRange("topk(): selected index k=\(k) out of range for a dimension of size \(size)")
        }
        return try selectAlong(dim: dim, count: k, largest: largest, name: "TopkBackward")
    }

    /// The first `count` elements of each lane along `dim` in sorted order, and their positions.
    private func selectAlong(dim: Int, count: Int, largest: Bool, name: String) throws -> (values: Tensor, indices: [Int]) {
        let d = rank == 0 ? 0 : try Shape.wrap(dim, rank: rank)
        let size = rank == 0 ? 1 : shape[d]
        let outer = rank == 0 ? 1 : shape[..<d].reduce(1, *)
        let inner = rank == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        var outShape = shape
        if rank > 0 { outShape[d] = count }
        let values = try Tensor(uninitializedShape: outShape)
        var indices = [Int](repeating: 0, count: values.count)
        // NaN ranks above +inf in both directions' ordering (first when largest, last otherwise).
        let before: (Float, Float) -> Bool = largest
            ? { a, b in (a.isNaN && !b.isNaN) || a > b }
            : { a, b in (!a.isNaN && b.isNaN) || a < b }
        let input = data
        var lane = [Int](repeating: 0, count: size)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o &* size &* inner &+ i
                for j in 0..<size { lane[j] = j }
                // Stable, so tied elements keep their index order.
                lane = Self.stableSorted(lane) { before(input[base &+ $0 &* inner], input[base &+ $1 &* inner]) }
                for j in 0..<count {
                    let at = (o &* count &+ j) &* inner &+ i
                    indices[at] = lane[j]
                    values.data[at] = input[base &+ lane[j] &* inner]
                }
            }
        }
        let inputShape = shape
        let chosen = indices
        return (values.recording(name, inputs: [self]) { g, _ in
            let gin = try Tensor.zeros(inputShape)
            for o in 0..<outer {
                for j in 0..<count {
                    for i in 0..<inner {
                        let at = (o &* count &+ j) &* inner &+ i
                        gin.data[(o &* size &+ chosen[at]) &* inner &+ i] += g.data[at]
                    }
                }
            }
            return [gin]
        }, indices)
    }

    /// A stable sort (merge sort): Swift's `sorted(by:)` does not promise stability.
    private static func stableSorted(_ items: [Int], by before: (Int, Int) -> Bool) -> [Int] {
        if items.count < 2 { return items }
        var a = items, b = items
        var width = 1
        while width < a.count {
            var start = 0
            while start < a.count {
                let mid = Swift.min(start &+ width, a.count), end = Swift.min(start &+ 2 &* width, a.count)
                var l = start, r = mid, k = start
                while l < mid && r < end {
                    if before(a[r], a[l]) { b[k] = a[r]; r &+= 1 } else { b[k] = a[l]; l &+= 1 }
                    k &+= 1
                }
                while l < mid { b[k] = a[l]; l &+= 1; k &+= 1 }
                while r < end { b[k] = a[r]; r &+= 1; k &+= 1 }
                start = end
            }
            swap(&a, &b)
            width &*= 2
        }
        return a
    }
}
