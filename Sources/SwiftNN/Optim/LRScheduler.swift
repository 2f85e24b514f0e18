/// The common part of the learning-rate schedulers, with PyTorch's semantics
/// (`torch.optim.lr_scheduler.LRScheduler`).
///
/// `groups` are PyTorch's param groups: one optimizer each (a Swift user with
/// one optimizer passes `[optimizer]`). Construction performs the initial
/// step, so `lastEpoch` becomes 0 and the group learning rates those of epoch
/// 0; each `step()` then advances one epoch (or iteration). `computeLRs` is
/// PyTorch's chainable `get_lr()`, which reads the groups' current learning
/// rates; `step(epoch:)` uses the closed form where one exists.
open class LRScheduler {
    public let groups: [Optimizer]
    /// The learning rates the schedule starts from (PyTorch's `base_lrs`, the groups' `initial_lr`).
    public internal(set) var baseLRs: [Double]
    public internal(set) var lastEpoch: Int
    /// How many times `step` ran, the initial step included (`_step_count`).
    public internal(set) var stepCount = 0
    /// The learning rates the last step set (`get_last_lr()`).
    public internal(set) var lastLRs: [Double] = []

    /// `baseLRs` defaults to the groups' current learning rates; resuming
    /// (`lastEpoch` ≥ 0) needs them given, as PyTorch needs `initial_lr`.
    init(groups: [Optimizer], lastEpoch: Int, baseLRs: [Double]?) throws {
        guard !groups.isEmpty else {
            throw SwiftNNError.invalidArgument("a scheduler needs at least one optimizer (param group)")
        }
        guard lastEpoch >= -1 else {
            throw SwiftNNError.invalidArgument("last_epoch must be -1 or a completed epoch index, got \(lastEpoch)")
        }
        if let baseLRs {
            try checkCount(baseLRs, groups, "base_lrs")
        } else if lastEpoch != -1 {
            throw SwiftNNError.invalidArgument(
                "param 'initial_lr' is not specified in param_groups when resuming an optimizer")
        }
        self.groups = groups
        self.baseLRs = baseLRs ?? groups.map(\.lr)
        self.lastEpoch = lastEpoch
        try step()
    }

    /// The schedule's constructor settings by PyTorch's attribute names (`step_size`,
    /// `gamma`, ...), read by bindings through `option(_:)` (SchedulerOptions.swift).
    open var settings: [(name: String, value: JSON)] { [] }

    /// The learning rates of the epoch `lastEpoch` from the current ones (`get_lr()`).
    open func computeLRs() throws -> [Double] { groups.map(\.lr) }

    /// The learning rates of epoch `lastEpoch` from `baseLRs` alone, or nil when
    /// the schedule has no closed form (`_get_closed_form_lr`).
    open func closedFormLRs() -> [Double]? { nil }

    /// Advances one epoch, or jumps to `epoch` (PyTorch's deprecated `step(epoch)`),
    /// and writes the new learning rates into the groups.
    public func step(epoch: Int? = nil) throws {
        stepCount += 1
        let values: [Double]
        if let epoch {
            lastEpoch = epoch
            values = try closedFormLRs() ?? computeLRs()
        } else {
            lastEpoch += 1
            values = try computeLRs()
        }
        for (group, lr) in zip(groups, values) { group.hyperparameters["lr"] = lr }
        lastLRs = groups.map(\.lr)
    }

    /// Restores a saved position in the schedule (`load_state_dict`) without
    /// touching the groups' learning rates.
    public func restore(lastEpoch: Int, stepCount: Int, baseLRs: [Double], lastLRs: [Double]) throws {
        try checkCount(baseLRs, groups, "base_lrs")
        try checkCount(lastLRs, groups, "last_lr")
        guard lastEpoch >= -1, stepCount >= 0 else {
            throw SwiftNNError.invalidArgument("invalid scheduler state: last_epoch \(lastEpoch), step count \(stepCount)")
        }
        self.lastEpoch = lastEpoch
        self.stepCount = stepCount
        self.baseLRs = baseLRs
        self.lastLRs = lastLRs
    }
}

/// Checks that a per-group list has one value per group.
func checkCount<T>(_ values: [T], _ groups: [Optimizer], _ name: String) throws {
    guard values.count == groups.count else {
        throw SwiftNNError.invalidArgument("expected \(groups.count) values for \(name), got \(values.count)")
    }
}

/// A positive whole-number setting (step_size, T_max).
func positive(_ value: Int, _ name: String) throws -> Int {
    guard value > 0 else { throw SwiftNNError.invalidArgument("\(name) must be a positive integer, got \(value)") }
    return value
}

/// Python's `a % n` for n > 0: never negative.
@inline(__always) func floorMod(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }
