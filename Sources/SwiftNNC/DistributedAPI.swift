import SwiftNN

// Process groups, SyncBatchNorm and DistributedDataParallel. The host supplies the
// collectives as one C function (swiftnn_collective_fn); the engine calls it from inside
// forward and backward, on the thread that called into the engine.

public typealias CollectiveFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<Float>?,
                                               UnsafeMutablePointer<Float>?, Int64, Int64) -> Int32
public typealias ContextRelease = @convention(c) (UnsafeMutableRawPointer?) -> Void

// Collective kinds of include/swiftnn.h.
private let allReduceSumKind: Int32 = 0
private let allGatherKind: Int32 = 1
private let broadcastKind: Int32 = 2

/// The host's collective function and its context, released with the last group using it.
private final class HostTransport {
    let function: CollectiveFunction
    let context: UnsafeMutableRawPointer?
    let release: ContextRelease?

    init(function: CollectiveFunction, context: UnsafeMutableRawPointer?, release: ContextRelease?) {
        self.function = function
        self.context = context
        self.release = release
    }

    deinit { release?(context) }

    func run(_ collective: ProcessGroup.Collective, _ send: UnsafePointer<Float>?, _ buffer: UnsafeMutablePointer<Float>,
             _ count: Int) throws {
        let (kind, root): (Int32, Int64)
        switch collective {
        case .allReduceSum: (kind, root) = (allReduceSumKind, 0)
        case .allGather: (kind, root) = (allGatherKind, 0)
        case .broadcast(let r): (kind, root) = (broadcastKind, Int64(r))
        }
        let status = function(context, kind, send, buffer, Int64(count), root)
        guard status == 0 else {
            throw SwiftNNError.runtime("the process group's collective (kind \(kind), \(count) floats) failed with status \(status)")
        }
    }
}

private func groupArg(_ handle: OpaquePointer?) throws -> ProcessGroup {
    try borrowed(handle, as: ProcessGroup.self, "process group")
}

private func ddpArg(_ handle: OpaquePointer?) throws -> DistributedDataParallel {
    guard let ddp = try moduleArg(handle) as? DistributedDataParallel else {
        throw SwiftNNError.wrongType("expected a DistributedDataParallel module")
    }
    return ddp
}

private func bucketsArg(_ handle: OpaquePointer?) throws -> GradientBuckets {
    try borrowed(handle, as: GradientBuckets.self, "gradient buckets")
}

/// Bytes to floats per bucket, at least one.
private func bucketCapacity(_ bytes: Int64) throws -> Int {
    guard bytes > 0 else { throw SwiftNNError.invalidArgument("bucket_cap_mb must be positive, got \(bytes) bytes") }
    return Int(max(1, bytes / 4))
}

@_cdecl("swiftnn_process_group_new")
public func swiftnn_process_group_new(_ rank: Int64, _ size: Int64, _ function: CollectiveFunction?,
                                      _ context: UnsafeMutableRawPointer?, _ release: ContextRelease?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        guard let function else { throw SwiftNNError.invalidArgument("process group: the collective function is null") }
        guard rank >= 0, size >= 1, rank < size, size <= Int64(Int32.max) else {
            throw SwiftNNError.invalidArgument("process group: rank \(rank) is not in a world of size \(size)")
        }
        let transport = HostTransport(function: function, context: context, release: release)
        out.pointee = retained(try ProcessGroup(rank: Int(rank), size: Int(size), transport: transport.run))
    }
}

@_cdecl("swiftnn_process_group_free")
public func swiftnn_process_group_free(_ g: OpaquePointer?) -> Int32 {
    release(g, as: ProcessGroup.self)
    return statusOK
}

@_cdecl("swiftnn_process_group_all_reduce")
public func swiftnn_process_group_all_reduce(_ g: OpaquePointer?, _ t: OpaquePointer?) -> Int32 {
    guarded {
        let tensor = try tensorArg(t)
        try tensor.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try groupArg(g).allReduceSum(UnsafeMutablePointer(mutating: base), count: buffer.count)
        }
    }
}

@_cdecl("swiftnn_process_group_broadcast")
public func swiftnn_process_group_broadcast(_ g: OpaquePointer?, _ t: OpaquePointer?, _ root: Int64) -> Int32 {
    guarded {
        let group = try groupArg(g), tensor = try tensorArg(t)
        guard root >= 0 && root < Int64(group.size) else {
            throw SwiftNNError.invalidArgument("broadcast: root \(root) is not a rank of a world of size \(group.size)")
        }
        try tensor.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try group.broadcast(UnsafeMutablePointer(mutating: base), count: buffer.count, root: Int(root))
        }
    }
}

@_cdecl("swiftnn_process_group_traffic")
public func swiftnn_process_group_traffic(_ g: OpaquePointer?, _ seconds: UnsafeMutablePointer<Double>?,
                                          _ calls: UnsafeMutablePointer<Int64>?, _ floats: UnsafeMutablePointer<Int64>?,
                                          _ reset: Int32) -> Int32 {
    guarded {
        let group = try groupArg(g)
        let traffic = group.traffic
        seconds?.pointee = traffic.seconds
        calls?.pointee = Int64(traffic.calls)
        floats?.pointee = Int64(traffic.floats)
        if reset != 0 { group.resetTraffic() }
    }
}

@_cdecl("swiftnn_module_sync_batchnorm")
public func swiftnn_module_sync_batchnorm(_ m: OpaquePointer?, _ g: OpaquePointer?, _ converted: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let group = g == nil ? nil : try groupArg(g)
        let n = DistributedDataParallel.synchronizeBatchNorm(in: try moduleArg(m), group: group)
        converted?.pointee = Int64(n)
    }
}

@_cdecl("swiftnn_ddp_new")
public func swiftnn_ddp_new(_ m: OpaquePointer?, _ g: OpaquePointer?, _ bucketCapBytes: Int64, _ broadcastBuffers: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        let ddp = try DistributedDataParallel(try moduleArg(m), group: try groupArg(g),
                                              bucketCapacity: try bucketCapacity(bucketCapBytes),
                                              broadcastBuffers: broadcastBuffers != 0)
        out.pointee = retained(ddp)
    }
}

@_cdecl("swiftnn_ddp_grad_buckets")
public func swiftnn_ddp_grad_buckets(_ m: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try ddpArg(m).buckets)
    }
}

@_cdecl("swiftnn_grad_buckets_new")
public func swiftnn_grad_buckets_new(_ params: UnsafePointer<OpaquePointer?>?, _ n: Int64, _ g: OpaquePointer?,
                                     _ bucketCapBytes: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        guard n >= 0 && n <= Int64(Int32.max) else { throw SwiftNNError.invalidArgument("parameter count \(n) is out of range") }
        var tensors: [Tensor] = []
        if n > 0 {
            guard let params else { throw SwiftNNError.invalidArgument("parameter array is null") }
            tensors = try (0..<Int(n)).map { try tensorArg(params[$0], "parameter \($0)") }
        }
        out.pointee = retained(try GradientBuckets(parameters: tensors, group: try groupArg(g),
                                                   bucketCapacity: try bucketCapacity(bucketCapBytes)))
    }
}

@_cdecl("swiftnn_grad_buckets_free")
public func swiftnn_grad_buckets_free(_ b: OpaquePointer?) -> Int32 {
    release(b, as: GradientBuckets.self)
    return statusOK
}

@_cdecl("swiftnn_grad_buckets_set_sync")
public func swiftnn_grad_buckets_set_sync(_ b: OpaquePointer?, _ enabled: Int32) -> Int32 {
    guarded { try bucketsArg(b).synchronizes = enabled != 0 }
}

@_cdecl("swiftnn_grad_buckets_data")
public func swiftnn_grad_buckets_data(_ b: OpaquePointer?, _ data: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?,
                                      _ count: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        guard let data, let count else { throw SwiftNNError.invalidArgument("output pointer is null") }
        let flat = try bucketsArg(b).flat
        data.pointee = flat.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress) }
        count.pointee = Int64(flat.count)
    }
}

@_cdecl("swiftnn_grad_buckets_count")
public func swiftnn_grad_buckets_count(_ b: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(try bucketsArg(b).bucketRanges.count)
    }
}

@_cdecl("swiftnn_grad_buckets_range")
public func swiftnn_grad_buckets_range(_ b: OpaquePointer?, _ index: Int64, _ offset: UnsafeMutablePointer<Int64>?,
                                       _ count: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        guard let offset, let count else { throw SwiftNNError.invalidArgument("output pointer is null") }
        let ranges = try bucketsArg(b).bucketRanges
        guard index >= 0 && index < Int64(ranges.count) else {
            throw SwiftNNError.outOfRange("bucket index \(index) is out of range for \(ranges.count) buckets")
        }
        offset.pointee = Int64(ranges[Int(index)].lowerBound)
        count.pointee = Int64(ranges[Int(index)].count)
    }
}
