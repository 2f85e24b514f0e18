import XCTest
@testable import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

final class OptimSchedulerTests: XCTestCase {
    /// An SGD whose lr is exactly `lr`.
    private func sgd(lr: Double = 0.1, momentum: Double = 0) throws -> SGD {
        try SGD(parameters: [randomTensor([2], seed: 1)], lr: lr, momentum: momentum)
    }

    /// The learning rate after construction (epoch 0) and after each of `steps` further steps.
    private func sequence(_ scheduler: LRScheduler, steps: Int, group: Int = 0) throws -> [Double] {
        var lrs = [scheduler.groups[group].lr]
        for _ in 0..<steps {
            try scheduler.step()
            lrs.append(scheduler.groups[group].lr)
            XCTAssertEqual(scheduler.lastLRs[group], lrs.last!)
        }
        return lrs
    }

    private func assertSequence(_ actual: [Double], _ expected: (Int) -> Double, _ label: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        for (epoch, value) in actual.enumerated() {
            XCTAssertEqual(value, expected(epoch), accuracy: 1e-12 + 1e-9 * abs(expected(epoch)),
                           "\(label) epoch \(epoch)", file: file, line: line)
        }
    }

    func testStepLR() throws {
        let scheduler = try StepLR([try sgd()], stepSize: 3, gamma: 0.5)
        XCTAssertEqual(scheduler.lastEpoch, 0)
        XCTAssertEqual(scheduler.stepCount, 1)
        assertSequence(try sequence(scheduler, steps: 12), { 0.1 * pow(0.5, Double($0 / 3)) }, "StepLR")
        XCTAssertEqual(scheduler.lastEpoch, 12)
    }

    func testMultiStepLRCountsRepeatedMilestones() throws {
        let scheduler = try MultiStepLR([try sgd()], milestones: [5, 2, 5, 9], gamma: 0.1)
        let passed = { (e: Int) in [2, 5, 5, 9].filter { $0 <= e }.count }
        assertSequence(try sequence(scheduler, steps: 11), { 0.1 * pow(0.1, Double(passed($0))) }, "MultiStepLR")
    }

    func testExponentialLR() throws {
        let scheduler = try ExponentialLR([try sgd(lr: 0.2)], gamma: 0.9)
        assertSequence(try sequence(scheduler, steps: 10), { 0.2 * pow(0.9, Double($0)) }, "ExponentialLR")
    }

    func testCosineAnnealingFollowsTheClosedFormThroughRestarts() throws {
        let scheduler = try CosineAnnealingLR([try sgd(lr: 0.1)], tMax: 10, etaMin: 0.001)
        let closed = { (e: Int) in 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double(e) / 10)) / 2 }
        assertSequence(try sequence(scheduler, steps: 35), closed, "CosineAnnealingLR")
        // step(epoch:) uses the closed form directly.
        try scheduler.step(epoch: 7)
        XCTAssertEqual(scheduler.lastLRs[0], closed(7), accuracy: 1e-15)
        XCTAssertEqual(scheduler.lastEpoch, 7)
    }

    func testCosineAnnealingResumesWithTheClosedForm() throws {
        let optimizer = try sgd(lr: 0.5)
        let scheduler = try CosineAnnealingLR([optimizer], tMax: 8, lastEpoch: 3, baseLRs: [0.1])
        XCTAssertEqual(scheduler.lastEpoch, 4)
        XCTAssertEqual(optimizer.lr, 0.1 * (1 + cos(Double.pi * 4 / 8)) / 2, accuracy: 1e-15)
        assertThrows(.invalidArgument, contains: "initial_lr", try CosineAnnealingLR([optimizer], tMax: 8, lastEpoch: 3))
    }

    func testChainableFormKeepsExternalChanges() throws {
        let optimizer = try sgd(lr: 0.1)
        let scheduler = try StepLR([optimizer], stepSize: 2, gamma: 0.5)
        try scheduler.step()                           // epoch 1: 0.1
        try optimizer.setHyperparameter("lr", 0.8)     // someone else changes it
        try scheduler.step()                           // epoch 2: 0.8 * 0.5
        XCTAssertEqual(optimizer.lr, 0.4, accuracy: 1e-15)
        try scheduler.step(epoch: 2)                   // closed form ignores the change
        XCTAssertEqual(optimizer.lr, 0.05, accuracy: 1e-15)
    }

    func testEveryGroupFollowsItsOwnBaseLR() throws {
        let groups = [try sgd(lr: 0.1), try sgd(lr: 1.0)]
        let scheduler = try ExponentialLR(groups, gamma: 0.5)
        try scheduler.step()
        try scheduler.step()
        XCTAssertEqual(scheduler.lastLRs, [0.025, 0.25])
        XCTAssertEqual(scheduler.baseLRs, [0.1, 1.0])
    }

    func testRestore() throws {
        let optimizer = try sgd(lr: 0.1)
        let scheduler = try StepLR([optimizer], stepSize: 2)
        try scheduler.restore(lastEpoch: 5, stepCount: 6, baseLRs: [0.1], lastLRs: [0.001])
        try optimizer.setHyperparameter("lr", 0.001)
        try scheduler.step()                                // epoch 6: decays
        XCTAssertEqual(optimizer.lr, 0.0001, accuracy: 1e-18)
        assertThrows(.invalidArgument, try scheduler.restore(lastEpoch: 1, stepCount: 1, baseLRs: [], lastLRs: []))
    }

    func testSchedulerArgumentErrors() throws {
        let optimizer = try sgd()
        assertThrows(.invalidArgument, contains: "step_size", try StepLR([optimizer], stepSize: 0))
        assertThrows(.invalidArgument, contains: "T_max", try CosineAnnealingLR([optimizer], tMax: 0))
        assertThrows(.invalidArgument, contains: "at least one", try ExponentialLR([], gamma: 0.5))
        assertThrows(.invalidArgument, contains: "last_epoch", try ExponentialLR([optimizer], gamma: 0.5, lastEpoch: -2))
        assertThrows(.invalidArgument, contains: "base_lrs", try ExponentialLR([optimizer], gamma: 0.5, baseLRs: [1, 2]))
    }

    // MARK: OneCycleLR

    private func anneal(_ start: Double, _ end: Double, _ pct: Double, linear: Bool) -> Double {
        linear ? start + (end - start) * pct : end + (start - end) / 2 * (1 + cos(Double.pi * pct))
    }

    /// PyTorch's OneCycleLR schedule at `step`, written out phase by phase: (lr, momentum).
    private func oneCycle(_ step: Int, total: Int, maxLR: Double, pct: Double = 0.3, linear: Bool = false,
                          threePhase: Bool = false) -> (Double, Double) {
        let s = Double(step), initial = maxLR / 25, minimum = initial / 1e4, high = 0.95, low = 0.85
        let up = pct * Double(total) - 1, last = Double(total - 1)
        if s <= up {
            let t = s / up
            return (anneal(initial, maxLR, t, linear: linear), anneal(high, low, t, linear: linear))
        }
        if !threePhase {
            let t = (s - up) / (last - up)
            return (anneal(maxLR, minimum, t, linear: linear), anneal(low, high, t, linear: linear))
        }
        let down = 2 * pct * Double(total) - 2
        if s <= down {
            let t = (s - up) / (down - up)
            return (anneal(maxLR, initial, t, linear: linear), anneal(low, high, t, linear: linear))
        }
        return (anneal(initial, minimum, (s - down) / (last - down), linear: linear), high)
    }

    private func checkOneCycle(_ optimizer: Optimizer, momentumName: String, linear: Bool = false,
                               threePhase: Bool = false) throws {
        let total = 20
        let scheduler = try OneCycleLR([optimizer], maxLRs: [0.4], totalSteps: total,
                                       anneal: linear ? .linear : .cos, threePhase: threePhase)
        for step in 0..<total {
            if step > 0 { try scheduler.step() }
            let (lr, momentum) = oneCycle(step, total: total, maxLR: 0.4, linear: linear, threePhase: threePhase)
            XCTAssertEqual(optimizer.lr, lr, accuracy: 1e-12, "lr at step \(step)")
            XCTAssertEqual(try optimizer.hyperparameter(momentumName), momentum, accuracy: 1e-12, "momentum at \(step)")
        }
        XCTAssertEqual(optimizer.lr, 0.4 / 25 / 1e4, accuracy: 1e-15, "ends at the minimum")
        try scheduler.step()   // step `total` is still allowed, as in PyTorch
        assertThrows(.invalidArgument, contains: "Tried to step 21 times", try scheduler.step())
    }

    func testOneCycleCosineWithSGDMomentum() throws {
        try checkOneCycle(try sgd(momentum: 0.9), momentumName: "momentum")
    }

    func testOneCycleLinearCyclesAdamBeta1() throws {
        let adam = try Adam(parameters: [randomTensor([2], seed: 3)], betas: (0.9, 0.99))
        try checkOneCycle(adam, momentumName: "beta1", linear: true)
        XCTAssertEqual(try adam.hyperparameter("beta2"), 0.99, "beta2 untouched")
    }

    func testOneCycleThreePhase() throws {
        try checkOneCycle(try RMSprop(parameters: [randomTensor([2], seed: 4)]), momentumName: "momentum",
                          threePhase: true)
    }

    func testOneCycleArguments() throws {
        let adagrad = try Adagrad(parameters: [randomTensor([2], seed: 5)])
        assertThrows(.invalidArgument, contains: "momentum or beta1", try OneCycleLR([adagrad], maxLRs: [0.1], totalSteps: 10))
        let scheduler = try OneCycleLR([adagrad], maxLRs: [0.1], totalSteps: 10, cycleMomentum: false)
        XCTAssertEqual(scheduler.baseLRs, [0.1 / 25])
        XCTAssertEqual(adagrad.lr, 0.1 / 25, accuracy: 1e-15)
        assertThrows(.invalidArgument, contains: "total_steps", try OneCycleLR([adagrad], maxLRs: [0.1], totalSteps: 0))
        assertThrows(.invalidArgument, contains: "pct_start",
                     try OneCycleLR([adagrad], maxLRs: [0.1], totalSteps: 10, pctStart: 1.5, cycleMomentum: false))
        assertThrows(.invalidArgument, contains: "max_lr",
                     try OneCycleLR([adagrad], maxLRs: [0.1, 0.2], totalSteps: 10, cycleMomentum: false))
    }
}
