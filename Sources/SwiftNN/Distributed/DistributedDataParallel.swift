/// Data-parallel training of `module` over a process group (PyTorch's
/// `nn.parallel.DistributedDataParallel`): on creation every rank takes rank 0's parameters
/// and buffers; each training forward first takes rank 0's buffers again
/// (`broadcast_buffers=True`, PyTorch's default); backward averages the gradients across
/// the ranks in buckets (`GradientBuckets`). State-dict keys are `module.…`, as PyTorch's.
public final class DistributedDataParallel: Module {
    public let module: Module
    public let buckets: GradientBuckets
    public var broadcastBuffers: Bool

    /// - Parameter bucketCapacity: floats per gradient bucket (PyTorch's 25 MB: 25 << 18).
    public init(_ module: Module, group: ProcessGroup, bucketCapacity: Int = 25 << 18,
                broadcastBuffers: Bool = true) throws {
        for (_, t) in module.stateDict() { try group.broadcast(t.dataForWriting(), count: t.count, root: 0) }
        self.module = module
        self.buckets = try GradientBuckets(parameters: module.parameters().filter(\.requiresGrad), group: group,
                                           bucketCapacity: bucketCapacity)
        self.broadcastBuffers = broadcastBuffers
        super.init()
        registerModule("module", module)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        if training && broadcastBuffers {
            for (_, b) in module.namedBuffers() { try buckets.group.broadcast(b.dataForWriting(), count: b.count, root: 0) }
        }
        return try module(input)
    }

    /// Sets (or with nil clears) the group of every BatchNorm inside `module`, turning them into
    /// SyncBatchNorm layers (`nn.SyncBatchNorm.convert_sync_batchnorm`). Returns how many.
    @discardableResult
    public static func synchronizeBatchNorm(in module: Module, group: ProcessGroup?) -> Int {
        var converted = 0
        if let bn = module as? BatchNorm {
            bn.processGroup = group
            converted += 1
        }
        for (_, child) in module.namedChildren { converted += synchronizeBatchNorm(in: child, group: group) }
        return converted
    }
}
