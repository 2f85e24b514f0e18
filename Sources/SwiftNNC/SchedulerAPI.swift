import SwiftNN

/// `count` doubles from a C array; a null pointer gives nil when `optional`.
private func doubles(_ values: UnsafePointer<Double>?, _ count: Int64, _ role: String) throws -> [Double]? {
    guard let values else { return nil }
    guard count >= 0 else { throw SwiftNNError.invalidArgument("invalid \(role) array (count \(count))") }
    return (0..<Int(count)).map { values[$0] }
}

/// Builds a scheduler over the optimizer array (one per param group) and hands it to the caller.
private func newScheduler(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                          _ baseLRs: UnsafePointer<Double>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                          _ make: ([Optimizer], [Double]?) throws -> LRScheduler) -> Int32 {
    guarded {
        let out = try output(out)
        let optimizers = try handleList(groups, count, as: Optimizer.self, "optimizer")
        out.pointee = retained(try make(optimizers, try doubles(baseLRs, count, "base_lrs")))
    }
}

/// A positive count that fits the engine's Int comfortably (step_size, T_max, total_steps).
private func countArg(_ value: Int64, _ message: String) throws -> Int {
    guard value > 0 && value <= Int64(Int32.max) else { throw SwiftNNError.invalidArgument("\(message)\(value)") }
    return Int(value)
}

private func epochArg(_ value: Int64, _ role: String) throws -> Int {
    guard value >= -1 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) out of range: \(value)")
    }
    return Int(value)
}

@_cdecl("swiftnn_step_lr_new")
public func swiftnn_step_lr_new(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ stepSize: Int64,
                                _ gamma: Double, _ lastEpoch: Int64, _ baseLRs: UnsafePointer<Double>?,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newScheduler(groups, count, baseLRs, out) {
        try StepLR($0, stepSize: try countArg(stepSize, "step_size must be a positive integer, got "), gamma: gamma,
                   lastEpoch: try epochArg(lastEpoch, "last_epoch"), baseLRs: $1)
    }
}

@_cdecl("swiftnn_multistep_lr_new")
public func swiftnn_multistep_lr_new(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                                     _ milestones: UnsafePointer<Int64>?, _ milestoneCount: Int64, _ gamma: Double,
                                     _ lastEpoch: Int64, _ baseLRs: UnsafePointer<Double>?,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newScheduler(groups, count, baseLRs, out) {
        guard milestoneCount >= 0, milestoneCount == 0 || milestones != nil else {
            throw SwiftNNError.invalidArgument("invalid milestones array (count \(milestoneCount))")
        }
        let list = try (0..<Int(milestoneCount)).map { try epochArg(milestones![$0], "milestone") }
        return try MultiStepLR($0, milestones: list, gamma: gamma, lastEpoch: try epochArg(lastEpoch, "last_epoch"),
                               baseLRs: $1)
    }
}

@_cdecl("swiftnn_exponential_lr_new")
public func swiftnn_exponential_lr_new(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ gamma: Double,
                                       _ lastEpoch: Int64, _ baseLRs: UnsafePointer<Double>?,
                                       _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newScheduler(groups, count, baseLRs, out) {
        try ExponentialLR($0, gamma: gamma, lastEpoch: try epochArg(lastEpoch, "last_epoch"), baseLRs: $1)
    }
}

@_cdecl("swiftnn_cosine_annealing_lr_new")
public func swiftnn_cosine_annealing_lr_new(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ tMax: Int64,
                                            _ etaMin: Double, _ lastEpoch: Int64, _ baseLRs: UnsafePointer<Double>?,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newScheduler(groups, count, baseLRs, out) {
        try CosineAnnealingLR($0, tMax: try countArg(tMax, "T_max must be a positive integer, got "),
                              etaMin: etaMin, lastEpoch: try epochArg(lastEpoch, "last_epoch"), baseLRs: $1)
    }
}

/// max_lrs, base_momentums and max_momentums hold `count` values (one per group).
@_cdecl("swiftnn_one_cycle_lr_new")
public func swiftnn_one_cycle_lr_new(_ groups: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                                     _ maxLRs: UnsafePointer<Double>?, _ totalSteps: Int64, _ pctStart: Double,
                                     _ annealLinear: Int32, _ cycleMomentum: Int32,
                                     _ baseMomentums: UnsafePointer<Double>?, _ maxMomentums: UnsafePointer<Double>?,
                                     _ divFactor: Double, _ finalDivFactor: Double, _ threePhase: Int32,
                                     _ lastEpoch: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newScheduler(groups, count, nil, out) { optimizers, _ in
        let total = try countArg(totalSteps, "Expected positive integer total_steps, but got ")
        func required(_ values: UnsafePointer<Double>?, _ role: String) throws -> [Double] {
            guard let list = try doubles(values, count, role) else {
                throw SwiftNNError.invalidArgument("\(role) is a null pointer")
            }
            return list
        }
        return try OneCycleLR(optimizers, maxLRs: try required(maxLRs, "max_lr"), totalSteps: total,
                              pctStart: pctStart, anneal: annealLinear != 0 ? .linear : .cos,
                              cycleMomentum: cycleMomentum != 0,
                              baseMomentums: try required(baseMomentums, "base_momentum"),
                              maxMomentums: try required(maxMomentums, "max_momentum"),
                              divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase != 0,
                              lastEpoch: try epochArg(lastEpoch, "last_epoch"))
    }
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

@_cdecl("swiftnn_scheduler_last_epoch")
public func swiftnn_scheduler_last_epoch(_ s: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let scheduler = try schedulerArg(s)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(scheduler.lastEpoch)
    }
}

/// Writes one learning rate per group; capacity must be at least the number of groups.
private func writeLRs(_ lrs: [Double], _ out: UnsafeMutablePointer<Double>?, _ capacity: Int64) throws {
    guard let out, capacity >= Int64(lrs.count) else {
        throw SwiftNNError.invalidArgument("the output buffer holds \(capacity) values, \(lrs.count) needed")
    }
    for (i, lr) in lrs.enumerated() { out[i] = lr }
}

@_cdecl("swiftnn_scheduler_last_lr")
public func swiftnn_scheduler_last_lr(_ s: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?,
                                      _ capacity: Int64) -> Int32 {
    guarded { try writeLRs(try schedulerArg(s).lastLRs, out, capacity) }
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

@_cdecl("swiftnn_scheduler_set_state")
public func swiftnn_scheduler_set_state(_ s: OpaquePointer?, _ lastEpoch: Int64, _ stepCount: Int64,
                                        _ baseLRs: UnsafePointer<Double>?, _ lastLRs: UnsafePointer<Double>?,
                                        _ count: Int64) -> Int32 {
    guarded {
        let scheduler = try schedulerArg(s)
        guard let base = try doubles(baseLRs, count, "base_lrs"), let last = try doubles(lastLRs, count, "last_lr")
        else { throw SwiftNNError.invalidArgument("base_lrs and last_lr must not be null") }
        guard stepCount >= 0 && stepCount <= Int64(Int32.max) else {
            throw SwiftNNError.invalidArgument("step count out of range: \(stepCount)")
        }
        try scheduler.restore(lastEpoch: try epochArg(lastEpoch, "last_epoch"), stepCount: Int(stepCount),
                              baseLRs: base, lastLRs: last)
    }
}

@_cdecl("swiftnn_scheduler_free")
public func swiftnn_scheduler_free(_ s: OpaquePointer?) -> Int32 {
    release(s, as: LRScheduler.self)
    return statusOK
}
