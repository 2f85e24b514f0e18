#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `StepLR`: multiplies the learning rate by `gamma` every `stepSize` epochs.
/// Closed form: base_lr · gamma^⌊epoch / step_size⌋.
public final class StepLR: LRScheduler {
    public let stepSize: Int
    public let gamma: Double
    public override var settings: [(name: String, value: JSON)] { [("step_size", stepSize.json), ("gamma", gamma.json)] }

    public init(_ groups: [Optimizer], stepSize: Int, gamma: Double = 0.1, lastEpoch: Int = -1,
                baseLRs: [Double]? = nil) throws {
        self.stepSize = try positive(stepSize, "step_size")
        self.gamma = gamma
        try super.init(groups: groups, lastEpoch: lastEpoch, baseLRs: baseLRs)
    }

    public override func computeLRs() throws -> [Double] {
        let decay = lastEpoch != 0 && floorMod(lastEpoch, stepSize) == 0
        return groups.map { decay ? $0.lr * gamma : $0.lr }
    }

    public override func closedFormLRs() -> [Double]? {
        let exponent = Double((lastEpoch - floorMod(lastEpoch, stepSize)) / stepSize)  // Python's //
        return baseLRs.map { $0 * pow(gamma, exponent) }
    }
}

/// `MultiStepLR`: multiplies the learning rate by `gamma` at each milestone
/// (a milestone listed k times multiplies by gamma^k).
public final class MultiStepLR: LRScheduler {
    public let milestones: [Int]
    public let gamma: Double
    public override var settings: [(name: String, value: JSON)] { [("milestones", milestones.json), ("gamma", gamma.json)] }

    public init(_ groups: [Optimizer], milestones: [Int], gamma: Double = 0.1, lastEpoch: Int = -1,
                baseLRs: [Double]? = nil) throws {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        try super.init(groups: groups, lastEpoch: lastEpoch, baseLRs: baseLRs)
    }

    public override func computeLRs() throws -> [Double] {
        let hits = milestones.filter { $0 == lastEpoch }.count
        return groups.map { hits == 0 ? $0.lr : $0.lr * pow(gamma, Double(hits)) }
    }

    public override func closedFormLRs() -> [Double]? {
        let passed = Double(milestones.filter { $0 <= lastEpoch }.count)
        return baseLRs.map { $0 * pow(gamma, passed) }
    }
}

/// `ExponentialLR`: multiplies the learning rate by `gamma` every epoch.
public final class ExponentialLR: LRScheduler {
    public let gamma: Double
    public override var settings: [(name: String, value: JSON)] { [("gamma", gamma.json)] }

    public init(_ groups: [Optimizer], gamma: Double, lastEpoch: Int = -1, baseLRs: [Double]? = nil) throws {
        self.gamma = gamma
        try super.init(groups: groups, lastEpoch: lastEpoch, baseLRs: baseLRs)
    }

    public override func computeLRs() throws -> [Double] {
        groups.map { lastEpoch == 0 ? $0.lr : $0.lr * gamma }
    }

    public override func closedFormLRs() -> [Double]? {
        baseLRs.map { $0 * pow(gamma, Double(lastEpoch)) }
    }
}

/// `CosineAnnealingLR`: η = η_min + (base_lr − η_min)·(1 + cos(π·epoch/T_max))/2,
/// computed like PyTorch's `get_lr()` by the recursive (chainable) form from the
/// current learning rate, which matches the closed form when nothing else
/// changes the learning rate; past T_max the cosine continues (rises again).
public final class CosineAnnealingLR: LRScheduler {
    public let tMax: Int
    public let etaMin: Double
    public override var settings: [(name: String, value: JSON)] { [("T_max", tMax.json), ("eta_min", etaMin.json)] }

    public init(_ groups: [Optimizer], tMax: Int, etaMin: Double = 0, lastEpoch: Int = -1,
                baseLRs: [Double]? = nil) throws {
        self.tMax = try positive(tMax, "T_max")
        self.etaMin = etaMin
        try super.init(groups: groups, lastEpoch: lastEpoch, baseLRs: baseLRs)
    }

    public override func computeLRs() throws -> [Double] {
        let e = Double(lastEpoch), T = Double(tMax)
        if lastEpoch == 0 { return groups.map(\.lr) }
        if stepCount == 1 && lastEpoch > 0 {
            return baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(e * Double.pi / T)) / 2 }
        }
        if floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0 {
            return zip(groups, baseLRs).map { group, base in
                group.lr + (base - etaMin) * (1 - cos(Double.pi / T)) / 2
            }
        }
        let ratio = (1 + cos(Double.pi * e / T)) / (1 + cos(Double.pi * (e - 1) / T))
        return groups.map { ratio * ($0.lr - etaMin) + etaMin }
    }

    public override func closedFormLRs() -> [Double]? {
        baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double.pi * Double(lastEpoch) / Double(tMax))) / 2 }
    }
}
