import SwiftNN

// Schedulers: step with PyTorch's optional epoch (has_epoch, epoch: kept for the ABI) and free;
// the rest are exports of codegen/ops.toml (group "optim").

private func epochArg(_ value: Int64, _ role: String) throws -> Int {
    guard value >= -1 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) out of range: \(value)")
    }
    return Int(value)
}

/// has_epoch != 0 jumps to `epoch` (PyTorch's step(epoch)); otherwise advances one.
@_cdecl("swiftnn_scheduler_step")
public func swiftnn_scheduler_step(_ s: OpaquePointer?, _ hasEpoch: Int32, _ epoch: Int64) -> Int32 {
    guarded {
        let scheduler = try schedulerArg(s)
        try scheduler.step(epoch: hasEpoch != 0 ? try epochArg(epoch, "epoch") : nil)
    }
}

@_cdecl("swiftnn_scheduler_free")
public func swiftnn_scheduler_free(_ s: OpaquePointer?) -> Int32 {
    release(s, as: LRScheduler.self)
    return statusOK
}
