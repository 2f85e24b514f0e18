import SwiftNN

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

/// Writes one learning rate per group; capacity must be at least the number of groups.
private func writeLRs(_ lrs: [Double], _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) throws {
    guard let out, capacity >= Int64(lrs.count) else {
        throw SwiftNNError.invalidArgument("the output buffer holds \(capacity) values, \(lrs.count) needed")
    }
    for (i, lr) in lrs.enumerated() { out[i] = lr }
}

/// PyTorch's get_lr(): the chainable form at last_epoch from the current learning rates,
/// without writing them (OneCycleLR does set the momentum, as PyTorch's does).
@_cdecl("swiftnn_scheduler_get_lr")
public func swiftnn_scheduler_get_lr(_ s: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?,
                                     _ capacity: Int64) -> Int32 {
    guarded {
        let scheduler = try schedulerArg(s)
        guard capacity >= Int64(scheduler.groups.count) else {
            throw SwiftNNError.invalidArgument("the output buffer holds \(capacity) values, \(scheduler.groups.count) needed")
        }
        try writeLRs(try scheduler.computeLRs(), out, capacity)
    }
}

@_cdecl("swiftnn_scheduler_free")
public func swiftnn_scheduler_free(_ s: OpaquePointer?) -> Int32 {
    release(s, as: LRScheduler.self)
    return statusOK
}
