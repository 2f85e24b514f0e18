#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `OneCycleLR` (PyTorch's, per iteration): the learning rate rises from
/// max_lr/div_factor to max_lr over the first `pctStart` of `totalSteps`, then
/// falls to initial_lr/final_div_factor (with `threePhase`, back to initial_lr
/// first, then to the minimum). With `cycleMomentum`, the momentum (β1 for Adam
/// and AdamW) moves the opposite way between max_momentum and base_momentum.
///
/// Phase k runs from the previous phase's end step to its own, with
/// pct = (step − start)/(end − start) and the annealing function
///     cos:    end + (start − end)/2 · (1 + cos(π·pct))
///     linear: start + (end − start)·pct
public final class OneCycleLR: LRScheduler {
    public enum Anneal { case cos, linear }

    /// One phase: where it ends and which levels it moves between.
    struct Phase {
        var endStep: Double
        var lr: (from: Level, to: Level)
        var momentum: (from: MomentumLevel, to: MomentumLevel)
    }
    enum Level { case initial, max, min }
    enum MomentumLevel { case max, base }

    public let totalSteps: Int
    public let anneal: Anneal
    public let cycleMomentum: Bool
    public let maxLRs: [Double]
    public let minLRs: [Double]
    public let maxMomentums: [Double]
    public let baseMomentums: [Double]
    public override var settings: [(name: String, value: JSON)] {
        [("total_steps", totalSteps.json), ("cycle_momentum", cycleMomentum.json),
         ("anneal_strategy", (anneal == .cos ? "cos" : "linear").json)]
    }
    let phases: [Phase]
    /// Per group, the hyperparameter the momentum cycle drives (`beta1` or `momentum`).
    let momentumNames: [String]

    /// Per-group arrays hold one value per group, or one value for all groups.
    public init(_ groups: [Optimizer], maxLRs: [Double], totalSteps: Int, pctStart: Double = 0.3,
                anneal: Anneal = .cos, cycleMomentum: Bool = true, baseMomentums: [Double] = [0.85],
                maxMomentums: [Double] = [0.95], divFactor: Double = 25, finalDivFactor: Double = 1e4,
                threePhase: Bool = false, lastEpoch: Int = -1) throws {
        guard totalSteps > 0 else {
            throw SwiftNNError.invalidArgument("Expected positive integer total_steps, but got \(totalSteps)")
        }
        guard pctStart >= 0 && pctStart <= 1 else {
            throw SwiftNNError.invalidArgument("Expected float between 0 and 1 pct_start, but got \(pctStart)")
        }
        func perGroup(_ values: [Double], _ name: String) throws -> [Double] {
            if values.count == 1 { return Array(repeating: values[0], count: groups.count) }
            try checkCount(values, groups, name)
            return values
        }
        self.maxLRs = try perGroup(maxLRs, "max_lr")
        let initialLRs = self.maxLRs.map { $0 / divFactor }
        minLRs = initialLRs.map { $0 / finalDivFactor }
        self.maxMomentums = try perGroup(maxMomentums, "max_momentum")
        self.baseMomentums = try perGroup(baseMomentums, "base_momentum")
        if cycleMomentum {
            momentumNames = try groups.map { group in
                if group.hasHyperparameter("beta1") { return "beta1" }
                if group.hasHyperparameter("momentum") { return "momentum" }
                throw SwiftNNError.invalidArgument(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            }
        } else {
            momentumNames = []
        }
        let total = Double(totalSteps)
        phases = threePhase
            ? [Phase(endStep: pctStart * total - 1, lr: (.initial, .max), momentum: (.max, .base)),
               Phase(endStep: 2 * pctStart * total - 2, lr: (.max, .initial), momentum: (.base, .max)),
               Phase(endStep: total - 1, lr: (.initial, .min), momentum: (.max, .max))]
            : [Phase(endStep: pctStart * total - 1, lr: (.initial, .max), momentum: (.max, .base)),
               Phase(endStep: total - 1, lr: (.max, .min), momentum: (.base, .max))]
        self.totalSteps = totalSteps
        self.anneal = anneal
        self.cycleMomentum = cycleMomentum
        try super.init(groups: groups, lastEpoch: lastEpoch, baseLRs: initialLRs)
    }

    private func annealed(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    private func value(_ level: Level, _ group: Int) -> Double {
        switch level {
        case .initial: return baseLRs[group]
        case .max: return maxLRs[group]
        case .min: return minLRs[group]
        }
    }

    private func value(_ level: MomentumLevel, _ group: Int) -> Double {
        level == .max ? maxMomentums[group] : baseMomentums[group]
    }

    /// The learning rates of step `lastEpoch`; also sets each group's momentum.
    public override func computeLRs() throws -> [Double] {
        guard lastEpoch <= totalSteps else {
            throw SwiftNNError.invalidArgument(
                "Tried to step \(lastEpoch) times. The specified number of total steps is \(totalSteps)")
        }
        let stepNumber = Double(lastEpoch)
        var start = 0.0
        var phase = phases[phases.count - 1]
        for (k, candidate) in phases.enumerated() {
            if stepNumber <= candidate.endStep || k == phases.count - 1 {
                phase = candidate
                break
            }
            start = candidate.endStep
        }
        let pct = (stepNumber - start) / (phase.endStep - start)
        return groups.indices.map { i in
            if cycleMomentum {
                groups[i].hyperparameters[momentumNames[i]] =
                    annealed(value(phase.momentum.from, i), value(phase.momentum.to, i), pct)
            }
            return annealed(value(phase.lr.from, i), value(phase.lr.to, i), pct)
        }
    }
}
