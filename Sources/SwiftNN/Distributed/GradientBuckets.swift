/// The gradients of a set of parameters as one flat float32 buffer, cut into a few buckets
/// that are averaged across a process group during the backward pass (the reducer of
/// PyTorch's DistributedDataParallel, with `gradient_as_bucket_view=True`).
///
/// Each parameter's `grad` becomes a view of its slot in the buffer, so the host can read or
/// all-reduce the whole buffer in place, and autograd writes each gradient straight into it.
/// Parameters are laid out in reverse order, the order their gradients become ready in
/// backward; a bucket is averaged as soon as the last of its gradients is written, while
/// backward goes on with the earlier layers. Every rank must run the same graph (the same
/// buckets in the same order), as PyTorch requires.
public final class GradientBuckets {
    public let group: ProcessGroup
    /// The flat buffer: every slot, bucket after bucket.
    public let flat: Tensor
    /// Element ranges of the buckets in `flat`, in the order they are reduced.
    public let bucketRanges: [Range<Int>]
    /// False inside `no_sync()`: gradients accumulate locally and nothing is communicated.
    public var synchronizes = true

    let parameters: [Tensor]
    private let bucketOfParameter: [Int]
    private let parametersPerBucket: [Int]
    private let slots: [Tensor]
    private var readyInPass: [Bool]
    private var readyCount: [Int]
    private var reduced: [Bool]

    /// - Parameter bucketCapacity: floats per bucket at most, except a single larger parameter.
    public init(parameters: [Tensor], group: ProcessGroup, bucketCapacity: Int = 25 << 18) throws {
        guard bucketCapacity > 0 else {
            throw SwiftNNError.invalidArgument("bucket capacity must be positive, got \(bucketCapacity)")
        }
        var seen = Set<ObjectIdentifier>()
        for p in parameters where !seen.insert(ObjectIdentifier(p)).inserted {
            throw SwiftNNError.invalidArgument("a parameter appears twice in the list of parameters to reduce")
        }
        for p in parameters where p.gradSlot != nil {
            throw SwiftNNError.invalidArgument(
                "a parameter of shape \(describe(p.shape)) is already reduced by another DistributedDataParallel")
        }
        let ordered = Array(parameters.reversed())
        let total = ordered.reduce(0) { $0 + $1.count }
        let storage = try TensorStorage(repeating: 0, count: total)
        var ranges: [Range<Int>] = [], bucketOf: [Int] = [], views: [Tensor] = []
        var start = 0, offset = 0
        for p in ordered {
            if offset > start && offset - start + p.count > bucketCapacity {
                ranges.append(start..<offset)
                start = offset
            }
            bucketOf.append(ranges.count)
            views.append(Tensor(shape: p.shape, storage: TensorStorage(window: storage, offset: offset, count: p.count)))
            offset += p.count
        }
        if offset > start || ranges.isEmpty { ranges.append(start..<offset) }
        self.group = group
        self.flat = Tensor(shape: [total], storage: storage)
        self.bucketRanges = ranges
        self.parameters = ordered
        self.bucketOfParameter = bucketOf
        self.parametersPerBucket = ranges.indices.map { b in bucketOf.filter { $0 == b }.count }
        self.slots = views
        readyInPass = Array(repeating: false, count: ordered.count)
        readyCount = Array(repeating: 0, count: ranges.count)
        reduced = Array(repeating: false, count: ranges.count)
        for (i, p) in ordered.enumerated() {
            if let g = p.grad { try views[i].assign(g) }  // gradients already accumulated stay
            p.grad = p.grad == nil ? nil : views[i]
            p.gradSlot = GradientSlot(owner: self, index: i)
        }
    }

    deinit {
        for p in parameters { p.gradSlot = nil }
    }

    /// The slot of parameter `index` (reverse order), where its gradient lives.
    func slot(_ index: Int) -> Tensor { slots[index] }

    /// Autograd wrote parameter `index`'s gradient in this pass; averages its bucket when complete.
    func markReady(_ index: Int) throws {
        guard !readyInPass[index] else { return }
        readyInPass[index] = true
        let b = bucketOfParameter[index]
        readyCount[b] += 1
        if synchronizes && !reduced[b] && readyCount[b] == count(inBucket: b) && allEarlierReduced(b) {
            try reduce(b)
        }
    }

    /// End of a backward pass: gradients that were set by hand move into their slots, the
    /// buckets not yet averaged (unused parameters count as zero) are, and the pass resets.
    func finishPass() throws {
        defer { resetPass() }
        guard synchronizes else { return }
        for (i, p) in parameters.enumerated() where p.grad !== slots[i] {
            if let g = p.grad { try slots[i].assign(g) } else { Init.constant(slots[i], 0) }
            p.grad = slots[i]
        }
        for b in bucketRanges.indices where !reduced[b] { try reduce(b) }
    }

    /// After a failed backward: forget what was marked, so the next pass starts clean.
    func resetPass() {
        for i in readyInPass.indices { readyInPass[i] = false }
        for b in readyCount.indices { readyCount[b] = 0; reduced[b] = false }
    }

    /// Averages bucket `b` over the group, in place. Buckets are reduced in index order on
    /// every rank, so the collectives match even when gradients are ready in another order.
    private func reduce(_ b: Int) throws {
        let range = bucketRanges[b]
        let base = flat.data + range.lowerBound
        try group.allReduceSum(base, count: range.count)
        let scale = 1 / Float(group.size)
        if group.size > 1 { for i in 0..<range.count { base[i] *= scale } }
        reduced[b] = true
        // A later bucket that completed first waited for this one.
        if b + 1 < bucketRanges.count && !reduced[b + 1] && readyCount[b + 1] == count(inBucket: b + 1) {
            try reduce(b + 1)
        }
    }

    private func allEarlierReduced(_ b: Int) -> Bool { b == 0 || reduced[b - 1] }

    private func count(inBucket b: Int) -> Int { parametersPerBucket[b] }
}

/// A parameter's place in a `GradientBuckets` buffer (held by the parameter).
final class GradientSlot {
    weak var owner: GradientBuckets?
    let index: Int

    init(owner: GradientBuckets, index: Int) {
        self.owner = owner
        self.index = index
    }
}
