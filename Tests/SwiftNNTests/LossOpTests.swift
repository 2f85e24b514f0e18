import Foundation
import XCTest
@testable import SwiftNN

/// Cross-entropy reference in Double: per-position loss for class targets with
/// label smoothing and ignored positions, folded by `reduction` as PyTorch does
/// (mean over non-ignored positions).
private func crossEntropyReference(_ logits: Tensor, targets: [Int], reduction: Reduction,
                                   smoothing: Double = 0, ignoreIndex: Int = -100) -> (shape: [Int], values: [Double]) {
    let c = logits.shape[1]
    let dists: [[Double]?] = targets.map { t in
        t == ignoreIndex ? nil : (0..<c).map { ($0 == t ? 1 - smoothing : 0) + smoothing / Double(c) }
    }
    let per = Naive.crossEntropy(logits.scalars, logits.shape, targets: dists)
    let counted = Double(targets.filter { $0 != ignoreIndex }.count)
    switch reduction {
    case .none: return ([logits.shape[0]] + Array(logits.shape.dropFirst(2)), per)
    case .sum: return ([], [per.reduce(0, +)])
    case .mean: return ([], [per.reduce(0, +) / counted])
    }
}

/// Cross-entropy against probability targets: PyTorch's mean divides by the
/// number of positions, N·d1·…, i.e. numel / C.
private func crossEntropyProbReference(_ logits: Tensor, _ target: Tensor, reduction: Reduction,
                                       smoothing: Double = 0) -> (shape: [Int], values: [Double]) {
    let c = logits.shape[1], inner = logits.shape.dropFirst(2).reduce(1, *)
    let positions = logits.shape[0] * inner
    let t = target.scalars
    let dists: [[Double]?] = (0..<positions).map { j in
        let o = j / inner, i = j % inner
        return (0..<c).map { Double(t[(o * c + $0) * inner + i]) * (1 - smoothing) + smoothing / Double(c) }
    }
    let per = Naive.crossEntropy(logits.scalars, logits.shape, targets: dists)
    switch reduction {
    case .none: return ([logits.shape[0]] + Array(logits.shape.dropFirst(2)), per)
    case .sum: return ([], [per.reduce(0, +)])
    case .mean: return ([], [per.reduce(0, +) / Double(positions)])
    }
}

/// Rows of random probabilities along dim 1 (requiresGrad off unless asked).
private func probabilityTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) -> Tensor {
    let raw = randomTensor(shape, seed: seed, low: -2, high: 2, requiresGrad: false)
    let p = try! raw.softmax(dim: 1)
    return try! Tensor(shape: shape, scalars: p.scalars, requiresGrad: requiresGrad)
}

final class CrossEntropyTests: XCTestCase {
    func testHandComputed() throws {
        let logits = tensor([2, 3], [1, 2, 3, 1, 2, 3])
        // -log softmax([1,2,3]) = [2.40760596, 1.40760596, 0.40760596]
        let nll = [2.4076059644443806, 1.4076059644443806, 0.4076059644443806]
        assertClose(try logits.crossEntropy(targets: [2, 0], reduction: .none), shape: [2], [nll[2], nll[0]])
        assertClose(try logits.crossEntropy(targets: [2, 0], reduction: .sum), shape: [], [nll[2] + nll[0]])
        assertClose(try logits.crossEntropy(targets: [2, 0]), shape: [], [(nll[2] + nll[0]) / 2])
        // Label smoothing 0.1: 0.9·nll[t] + (0.1/3)·Σ nll
        let smooth = 0.9 * nll[2] + 0.1 / 3 * nll.reduce(0, +)
        assertClose(try logits.crossEntropy(targets: [2, 2], labelSmoothing: 0.1), shape: [], [smooth])
        // The ignored row contributes 0 and is left out of the mean.
        assertClose(try logits.crossEntropy(targets: [2, -100], reduction: .none), shape: [2], [nll[2], 0])
        assertClose(try logits.crossEntropy(targets: [2, -100]), shape: [], [nll[2]])
        assertClose(try logits.crossEntropy(targets: [2, 1], ignoreIndex: 1), shape: [], [nll[2]])
        // Max-shifted: huge logits stay finite.
        assertClose(try tensor([1, 3], [1000, 0, -1000]).crossEntropy(targets: [2]), shape: [], [2000] as [Float])
        assertClose(try tensor([1, 3], [1000, 0, -1000]).crossEntropy(targets: [0]), shape: [], [0] as [Float])
        // All targets ignored: mean is NaN (0/0), as in PyTorch.
        XCTAssertTrue(try logits.crossEntropy(targets: [-100, -100]).item().isNaN)
    }

    func testAgainstReference() throws {
        let cases: [([Int], [Int])] = [
            ([4, 5], [0, 4, 2, 1]), ([1, 1], [0]), ([7, 17], [0, 16, 3, 8, 8, 1, 12]), ([17, 7], Array(repeating: 3, count: 17)),
            ([2, 3, 4], [0, 1, 2, 0, 2, 2, 1, 0]), ([2, 3, 2, 2], [1, 0, 2, 1, 0, 0, 2, 2]),
        ]
        for (i, (shape, targets)) in cases.enumerated() {
            let logits = randomTensor(shape, seed: UInt64(130 + i), low: -3, high: 3, requiresGrad: false)
            for reduction in Reduction.allCases {
                for smoothing in [0.0, 0.1] {
                    let ref = crossEntropyReference(logits, targets: targets, reduction: reduction, smoothing: smoothing)
                    assertClose(try logits.crossEntropy(targets: targets, reduction: reduction, labelSmoothing: Float(smoothing)),
                                shape: ref.shape, ref.values, rtol: 1e-5, atol: 1e-6, "\(shape) \(reduction) ε=\(smoothing)")
                }
                // One ignored position per case (with smoothing too).
                var withIgnored = targets
                withIgnored[0] = -100
                if withIgnored.contains(where: { $0 != -100 }) {
                    let ref = crossEntropyReference(logits, targets: withIgnored, reduction: reduction, smoothing: 0.1)
                    assertClose(try logits.crossEntropy(targets: withIgnored, reduction: reduction, labelSmoothing: 0.1),
                                shape: ref.shape, ref.values, rtol: 1e-5, atol: 1e-6, "\(shape) \(reduction) ignored")
                }
            }
        }
    }

    func testGradients() {
        let logits = randomTensor([4, 5], seed: 140, low: -2, high: 2)
        let targets = [0, 4, 2, 1]
        for reduction in Reduction.allCases {
            checkGradients([logits], "CE \(reduction)") { try $0[0].crossEntropy(targets: targets, reduction: reduction) }
            checkGradients([logits], "CE \(reduction) ε=0.1") {
                try $0[0].crossEntropy(targets: targets, reduction: reduction, labelSmoothing: 0.1)
            }
            checkGradients([logits], "CE \(reduction) ignore -100") {
                try $0[0].crossEntropy(targets: [0, -100, 2, 1], reduction: reduction)
            }
            checkGradients([logits], "CE \(reduction) ignoreIndex 2, ε=0.1") {
                try $0[0].crossEntropy(targets: targets, reduction: reduction, labelSmoothing: 0.1, ignoreIndex: 2)
            }
        }
    }

    func testGradientsHigherRank() {
        let x3 = randomTensor([2, 3, 4], seed: 141, low: -2, high: 2)
        let t3 = [0, 1, 2, 0, 2, 2, 1, 0]
        for reduction in Reduction.allCases {
            checkGradients([x3], "CE [N,C,d] \(reduction)") { try $0[0].crossEntropy(targets: t3, reduction: reduction) }
            checkGradients([x3], "CE [N,C,d] \(reduction) ε=0.1 ignore") {
                try $0[0].crossEntropy(targets: [0, 1, -100, 0, 2, 2, 1, 0], reduction: reduction, labelSmoothing: 0.1)
            }
        }
        let x4 = randomTensor([2, 3, 2, 2], seed: 142, low: -2, high: 2)
        checkGradients([x4], "CE [N,C,h,w]") { try $0[0].crossEntropy(targets: [1, 0, 2, 1, 0, 0, 2, 2]) }
        let odd = randomTensor([7, 17], seed: 143, low: -2, high: 2)
        checkGradients([odd], "CE 7x17") { try $0[0].crossEntropy(targets: [0, 16, 3, 8, 8, 1, 12]) }
    }

    func testExactGradient() throws {
        // d mean-CE / d z = (softmax(z) − onehot) / N
        let z = try Tensor(shape: [1, 3], scalars: [1, 2, 3], requiresGrad: true)
        try z.crossEntropy(targets: [1]).backward()
        let e = [Foundation.exp(1.0), Foundation.exp(2.0), Foundation.exp(3.0)]
        let p = e.map { $0 / e.reduce(0, +) }
        assertClose(z.grad, shape: [1, 3], [p[0], p[1] - 1, p[2]])
    }

    // MARK: Probability targets

    func testProbabilityTargets2D() throws {
        let logits = randomTensor([3, 4], seed: 150, low: -2, high: 2, requiresGrad: false)
        let target = probabilityTensor([3, 4], seed: 151)
        for reduction in Reduction.allCases {
            for smoothing in [0.0, 0.1] {
                let ref = crossEntropyProbReference(logits, target, reduction: reduction, smoothing: smoothing)
                assertClose(try logits.crossEntropy(probabilities: target, reduction: reduction, labelSmoothing: Float(smoothing)),
                            shape: ref.shape, ref.values, rtol: 1e-5, atol: 1e-6, "\(reduction) ε=\(smoothing)")
            }
        }
        // One-hot probabilities agree with class indices.
        let onehot = tensor([3, 4], [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
        assertClose(try logits.crossEntropy(probabilities: onehot), shape: [],
                    try logits.crossEntropy(targets: [1, 3, 0]).scalars.map(Double.init))
    }

    func testProbabilityTargetsMeanOverAllPositions() throws {
        // PyTorch divides the mean by numel / C = N·d (every position), not by N.
        let logits = randomTensor([2, 3, 4], seed: 152, low: -2, high: 2, requiresGrad: false)
        let target = probabilityTensor([2, 3, 4], seed: 153)
        for reduction in Reduction.allCases {
            let ref = crossEntropyProbReference(logits, target, reduction: reduction)
            assertClose(try logits.crossEntropy(probabilities: target, reduction: reduction),
                        shape: ref.shape, ref.values, rtol: 1e-5, atol: 1e-6, "[N,C,d] probabilities \(reduction)")
        }
    }

    func testProbabilityTargetGradients() {
        let logits = randomTensor([3, 4], seed: 154, low: -2, high: 2)
        let target = probabilityTensor([3, 4], seed: 155, requiresGrad: true)
        for reduction in Reduction.allCases {
            checkGradients([logits, target], "CE prob \(reduction)") {
                try $0[0].crossEntropy(probabilities: $0[1], reduction: reduction)
            }
            // The target's own gradient under smoothing is covered by testProbabilityTargetGradientFlowsToTarget.
            checkGradients([logits, target.detach()], "CE prob \(reduction) ε=0.1") {
                try $0[0].crossEntropy(probabilities: $0[1], reduction: reduction, labelSmoothing: 0.1)
            }
        }
        let x3 = randomTensor([2, 3, 4], seed: 156, low: -2, high: 2)
        checkGradients([x3, probabilityTensor([2, 3, 4], seed: 157)], "CE prob [N,C,d] sum") {
            try $0[0].crossEntropy(probabilities: $0[1], reduction: .sum)
        }
    }

    /// cross_entropy is differentiable in a soft target too: PyTorch gives
    /// target.grad = −log_softmax(z)·(1−ε) per position (sum reduction).
    private func checkTargetGradient(smoothing: Float, line: UInt = #line) throws {
        let logits = randomTensor([3, 4], seed: 158, low: -2, high: 2, requiresGrad: false)
        let target = probabilityTensor([3, 4], seed: 159, requiresGrad: true)
        let loss = try logits.crossEntropy(probabilities: target, reduction: .sum, labelSmoothing: smoothing)
        XCTAssertTrue(loss.requiresGrad, "loss does not depend on the target in autograd (ε=\(smoothing))", line: line)
        guard loss.requiresGrad else { return }
        try loss.backward()
        let logp = Naive.softmax(logits.scalars, [3, 4], dim: 1, log: true)
        assertClose(target.grad, shape: [3, 4], logp.map { -$0 * Double(1 - smoothing) }, "ε=\(smoothing)", line: line)
    }

    func testProbabilityTargetGradientFlowsToTarget() throws { try checkTargetGradient(smoothing: 0) }

    func testProbabilityTargetGradientFlowsToTargetWithSmoothing() throws { try checkTargetGradient(smoothing: 0.1) }

    func testProbabilityTargetsValidateLabelSmoothing() {
        // PyTorch checks label_smoothing <= 1 for probability targets too.
        let logits = randomTensor([2, 3], seed: 1, requiresGrad: false)
        let probs = probabilityTensor([2, 3], seed: 2)
        assertThrows(.invalidArgument, try logits.crossEntropy(probabilities: probs, labelSmoothing: 1.5))
    }

    // MARK: Errors

    func testErrors() {
        let logits = randomTensor([2, 3], seed: 1, requiresGrad: false)
        assertThrows(.outOfRange, try logits.crossEntropy(targets: [0, 3]))
        assertThrows(.outOfRange, try logits.crossEntropy(targets: [-1, 0]))
        assertThrows(.outOfRange, try logits.crossEntropy(targets: [0, 7], ignoreIndex: 5))
        XCTAssertNoThrow(try logits.crossEntropy(targets: [0, 5], ignoreIndex: 5), "an ignored target may be out of range")
        assertThrows(.invalidArgument, try logits.crossEntropy(targets: [0]))
        assertThrows(.invalidArgument, try logits.crossEntropy(targets: [0, 1, 2]))
        assertThrows(.invalidArgument, try tensor([3], [1, 2, 3]).crossEntropy(targets: [0]))
        assertThrows(.invalidArgument, try logits.crossEntropy(targets: [0, 1], labelSmoothing: 1.5))
        assertThrows(.invalidArgument, try logits.crossEntropy(targets: [0, 1], labelSmoothing: -0.1))
        assertThrows(.invalidArgument, try logits.crossEntropy(probabilities: Tensor.zeros([2, 4])))
        assertThrows(.invalidArgument, try logits.crossEntropy(probabilities: Tensor.zeros([3, 2])))
        assertThrows(.invalidArgument, try randomTensor([2, 3, 4], seed: 2, requiresGrad: false).crossEntropy(targets: [0, 1]))
    }
}

final class MSELossTests: XCTestCase {
    func testHandComputed() throws {
        let x = tensor([3], [1, 2, 3]), y = tensor([3], [1, 1, 1])
        assertClose(try x.mseLoss(y, reduction: .none), shape: [3], [0, 1, 4] as [Float])
        assertClose(try x.mseLoss(y, reduction: .sum), shape: [], [5] as [Float])
        assertClose(try x.mseLoss(y), shape: [], [5.0 / 3] as [Double])
    }

    func testAwkwardSizes() throws {
        for (i, shape) in [[1], [7], [17], [7, 17]].enumerated() {
            let x = randomTensor(shape, seed: UInt64(160 + i), requiresGrad: false)
            let y = randomTensor(shape, seed: UInt64(170 + i), requiresGrad: false)
            let sq = zip(x.scalars, y.scalars).map { pow(Double($0) - Double($1), 2) }
            assertClose(try x.mseLoss(y, reduction: .none), shape: shape, sq)
            assertClose(try x.mseLoss(y, reduction: .sum), shape: [], [sq.reduce(0, +)], rtol: 1e-5)
            assertClose(try x.mseLoss(y), shape: [], [sq.reduce(0, +) / Double(sq.count)], rtol: 1e-5)
        }
    }

    func testGradients() {
        for reduction in Reduction.allCases {
            let x = randomTensor([3, 4], seed: 180), y = randomTensor([3, 4], seed: 181)
            checkGradients([x, y], "mse \(reduction)") { try $0[0].mseLoss($0[1], reduction: reduction) }
            let c = randomTensor([3, 4], seed: 182, requiresGrad: false)
            checkGradients([x, c], "mse \(reduction) const target") { try $0[0].mseLoss($0[1], reduction: reduction) }
        }
        checkGradients([randomTensor([17], seed: 183), randomTensor([17], seed: 184)], "mse [17]") { try $0[0].mseLoss($0[1]) }
    }

    func testExactGradient() throws {
        let x = try Tensor(shape: [2], scalars: [3, -1], requiresGrad: true)
        try x.mseLoss(tensor([2], [1, 1])).backward()
        // d/dx mean((x−y)²) = 2(x−y)/n
        assertClose(x.grad, shape: [2], [2, -2] as [Float])
    }

    func testErrors() {
        assertThrows(.invalidArgument, try tensor([3], [1, 2, 3]).mseLoss(tensor([3, 1], [1, 2, 3])))
        assertThrows(.invalidArgument, try tensor([3], [1, 2, 3]).mseLoss(tensor([2], [1, 2])))
    }
}

final class DropoutOpTests: XCTestCase {
    func testTrainingZeroesAndScales() throws {
        manualSeed(1)
        let y = try Tensor.ones([1000]).dropout(p: 0.5, training: true)
        let values = Set(y.scalars)
        XCTAssertTrue(values.isSubset(of: [0, 2]), "survivors scaled by 1/(1-p): \(values)")
        let kept = y.scalars.filter { $0 != 0 }.count
        XCTAssertTrue((400...600).contains(kept), "kept \(kept) of 1000 at p = 0.5")
        manualSeed(2)
        let y2 = try Tensor.ones([1000]).dropout(p: 0.2, training: true).scalars
        XCTAssertTrue(Set(y2).isSubset(of: [0, 1.25]))
        let kept2 = y2.filter { $0 != 0 }.count
        XCTAssertTrue((740...860).contains(kept2), "kept \(kept2) of 1000 at p = 0.2")
    }

    func testSameSeedSameMask() throws {
        let x = randomTensor([7, 17], seed: 190, requiresGrad: false)
        manualSeed(42)
        let a = try x.dropout(p: 0.3, training: true).scalars
        manualSeed(42)
        let b = try x.dropout(p: 0.3, training: true).scalars
        XCTAssertEqual(a, b)
        manualSeed(43)
        let c = try x.dropout(p: 0.3, training: true).scalars
        XCTAssertNotEqual(a, c)
    }

    func testIdentityCases() throws {
        let x = randomTensor([4, 5], seed: 191, requiresGrad: false)
        XCTAssertEqual(try x.dropout(p: 0.5, training: false).scalars, x.scalars)
        XCTAssertEqual(try x.dropout(p: 0, training: true).scalars, x.scalars)
        XCTAssertEqual(try x.dropout(p: 1, training: true).scalars, [Float](repeating: 0, count: 20))
    }

    func testGradientIsMaskTimesScale() throws {
        let x = randomTensor([6, 7], seed: 192)
        manualSeed(7)
        let mask = try Tensor.ones([6, 7]).dropout(p: 0.3, training: true)  // 0 or 1/0.7
        manualSeed(7)
        let y = try x.dropout(p: 0.3, training: true)
        assertClose(y, shape: [6, 7], zip(x.scalars, mask.scalars).map { Double($0) * Double($1) })
        let r = randomTensor([6, 7], seed: 193, requiresGrad: false)
        try y.backward(r)
        assertClose(x.grad, shape: [6, 7], zip(r.scalars, mask.scalars).map { Double($0) * Double($1) })
        XCTAssertTrue(Set(mask.scalars).isSubset(of: [0, 1 / Float(0.7)]))
        // Finite differences with the mask fixed by re-seeding before every forward.
        checkGradients([randomTensor([3, 5], seed: 194)], "dropout p=0.4") { x in
            manualSeed(11)
            return try x[0].dropout(p: 0.4, training: true)
        }
        // p = 1 drops everything: the gradient is zero, not NaN.
        let z = randomTensor([4], seed: 195)
        try z.dropout(p: 1, training: true).backward(try Tensor.ones([4]))
        assertClose(z.grad, shape: [4], [0, 0, 0, 0] as [Float])
    }

    func testErrors() {
        let x = randomTensor([3], seed: 1, requiresGrad: false)
        assertThrows(.invalidArgument, try x.dropout(p: 1.5, training: true))
        assertThrows(.invalidArgument, try x.dropout(p: -0.1, training: false))
        assertThrows(.invalidArgument, try x.dropout(p: .nan, training: true))
    }
}
