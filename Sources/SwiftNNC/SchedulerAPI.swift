import SwiftNN

/// `kind` is PyTorch's class name ("StepLR", "MultiStepLR", "ExponentialLR",
/// "CosineAnnealingLR", "OneCycleLR"); `groups` one optimizer per param group; `config` a
/// JSON object of its arguments by PyTorch's names, with "last_epoch" and "base_lrs".
@_cdecl("swiftnn_scheduler_new")
public func swiftnn_scheduler_new(_ kind: UnsafePointer<CChar>?, _ groups: UnsafePointer<OpaquePointer?>?,
                                  _ count: Int64, _ config: UnsafePointer<CChar>?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        guard let kind else { throw SwiftNNError.invalidArgument("scheduler kind is null") }
        let optimizers = try handleList(groups, count, as: Optimizer.self, "optimizer")
        out.pointee = retained(try SchedulerKinds.make(String(cString: kind), groups: optimizers,
                                                       config: config.map { String(cString: $0) }))
    }
}

private func epochArg(_ value: Int64, _ role: String) throws -> Int {
    guard value >= -1 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) out of range: \(value)")
    }
    return Int(value)
}

/// A position or setting ("last_epoch", "base_lrs", "_last_lr", "_step_count", "step_size", ...) as
/// JSON text, written like swiftnn_module_repr; a NULL name gives all as one JSON object.
@_cdecl("swiftnn_scheduler_get_option")
public func swiftnn_scheduler_get_option(_ s: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                         _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded { try writeOption(try schedulerArg(s), name, buf, capacity, length) }
}

private func schedulerArg(_ s: OpaquePointer?) throws -> LRScheduler {
    try borrowed(s, as: LRScheduler.self, "scheduler")
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

/// Restores a position from JSON text with the keys swiftnn_scheduler_get_option gives
/// ("last_epoch", "_step_count", "base_lrs", "_last_lr"); other keys are ignored.
@_cdecl("swiftnn_scheduler_set_state")
public func swiftnn_scheduler_set_state(_ s: OpaquePointer?, _ state: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        let scheduler = try schedulerArg(s)
        guard let state else { throw SwiftNNError.invalidArgument("scheduler state is null") }
        try scheduler.restore(from: try JSON.parse(String(cString: state)))
    }
}

@_cdecl("swiftnn_scheduler_free")
public func swiftnn_scheduler_free(_ s: OpaquePointer?) -> Int32 {
    release(s, as: LRScheduler.self)
    return statusOK
}
