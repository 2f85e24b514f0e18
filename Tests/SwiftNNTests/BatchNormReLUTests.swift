import XCTest
@testable import SwiftNN

/// The fused relu(batch_norm(cat(pieces)) + residual): forward against a naive Double
/// reference at awkward sizes, gradients against finite differences, and everything
/// against the separate ops it replaces.
final class BatchNormReLUTests: XCTestCase {
    /// relu(bn(x) + r) in Double, with batch statistics or the given running ones.
    private func reference(_ x: Tensor, residual: Tensor?, weight: Tensor?, bias: Tensor?,
                           running: (mean: [Float], variance: [Float])?, eps: Double = 1e-5) -> [Double] {
        let n = x.shape[0], c = x.shape[1], s = x.shape[2...].reduce(1, *)
        let xs = x.scalars.map(Double.init)
        var out = [Double](repeating: 0, count: xs.count)
        for ch in 0..<c {
            let indices = (0..<n).flatMap { i in (0..<s).map { (i * c + ch) * s + $0 } }
            var mean = indices.map { xs[$0] }.reduce(0, +) / Double(indices.count)
            var variance = indices.map { (xs[$0] - mean) * (xs[$0] - mean) }.reduce(0, +) / Double(indices.count)
            if let running { mean = Double(running.mean[ch]); variance = Double(running.variance[ch]) }
            for k in indices {
                let y = (xs[k] - mean) / (variance + eps).squareRoot() * Double(weight?.scalars[ch] ?? 1)
                    + Double(bias?.scalars[ch] ?? 0) + Double(residual?.scalars[k] ?? 0)
                out[k] = max(0, y)
            }
        }
        return out
    }

    /// Values in ±[0.6, 1.5] that cancel in pairs within every channel: the batch mean is 0,
    /// so every normalized value is at least 0.4 from the ReLU kink.
    private func symmetricTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = TestRNG(seed)
        let n = shape[0], c = shape[1], s = shape[2...].reduce(1, *)
        precondition((n * s) % 2 == 0)
        var values = [Float](repeating: 0, count: n * c * s)
        for ch in 0..<c {
            let half = (0..<(n * s / 2)).map { _ in rng.uniform(0.6, 1.5) }
            let channel = rng.shuffled(half + half.map { -$0 })
            for (j, v) in channel.enumerated() { values[((j / s) * c + ch) * s + j % s] = v }
        }
        return try! Tensor(shape: shape, scalars: values, requiresGrad: true)
    }

    func testForwardMatchesNaiveReferenceAtAwkwardSizes() throws {
        let cases: [(shape: [Int], split: [Int])] = [
            ([1, 1, 2], [1]), ([2, 7, 17], [3, 4]), ([3, 17, 1], [1, 7, 9]), ([1, 3, 7, 7], [3]), ([4, 9, 3, 3], [8, 1]),
        ]
        for (i, (shape, split)) in cases.enumerated() {
            let c = shape[1]
            let x = randomTensor(shape, seed: UInt64(100 + i), low: -2, high: 3, requiresGrad: false)
            let pieces = try x.split(sizes: split, dim: 1)
            let w = randomTensor([c], seed: UInt64(110 + i), low: -1.5, high: 1.5, requiresGrad: false)
            let b = randomTensor([c], seed: UInt64(120 + i), requiresGrad: false)
            let r = randomTensor(shape, seed: UInt64(130 + i), requiresGrad: false)
            for residual in [nil, r] {
                let y = try Tensor.batchNormReLU(pieces, adding: residual, runningMean: nil, runningVar: nil,
                                                 weight: w, bias: b, training: true)
                assertClose(y, shape: shape, reference(x, residual: residual, weight: w, bias: b, running: nil),
                            rtol: 1e-4, atol: 1e-4, "train \(shape) \(split)")
                let rm = randomTensor([c], seed: 140, requiresGrad: false)
                let rv = randomTensor([c], seed: 141, low: 0.5, high: 2, requiresGrad: false)
                let e = try Tensor.batchNormReLU(pieces, adding: residual, runningMean: rm, runningVar: rv,
                                                 weight: nil, bias: nil, training: false)
                assertClose(e, shape: shape, reference(x, residual: residual, weight: nil, bias: nil,
                                                       running: (rm.scalars, rv.scalars)),
                            rtol: 1e-4, atol: 1e-5, "eval \(shape) \(split)")
            }
        }
    }

    func testReLUKeepsNaN() throws {
        let x = tensor([1, 2, 2], [.nan, 1, 2, 3])
        let y = try Tensor.batchNormReLU([x], runningMean: try Tensor.zeros([2]), runningVar: try Tensor.ones([2]),
                                         weight: nil, bias: nil, training: false, eps: 0)
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(Array(y.scalars[1...]), [1, 2, 3])
    }

    func testGradientsAgainstFiniteDifferences() {
        let cases: [(shape: [Int], split: [Int])] = [([2, 2, 7], [2]), ([2, 3, 17], [1, 2]), ([4, 3, 1, 1], [2, 1]), ([2, 5, 3, 3], [1, 3, 1])]
        for (i, (shape, split)) in cases.enumerated() {
            let c = shape[1]
            let x = symmetricTensor(shape, seed: UInt64(200 + i))
            let w = randomTensor([c], seed: UInt64(210 + i), low: 1, high: 1.5)
            let b = randomTensor([c], seed: UInt64(220 + i), low: -0.05, high: 0.05)
            let r = randomTensor(shape, seed: UInt64(230 + i), low: -0.05, high: 0.05)
            checkGradients([x, w, b, r], "bn relu train \(shape) \(split)", rtol: 1e-2, atol: 1e-3) {
                try Tensor.batchNormReLU($0[0].split(sizes: split, dim: 1), adding: $0[3], runningMean: nil, runningVar: nil,
                                         weight: $0[1], bias: $0[2], training: true)
            }
            checkGradients([x], "bn relu train, no affine \(shape)", rtol: 1e-2, atol: 1e-3) {
                try Tensor.batchNormReLU($0[0].split(sizes: split, dim: 1), runningMean: nil, runningVar: nil,
                                         weight: nil, bias: nil, training: true)
            }
            let rm = try! Tensor.zeros([c]), rv = randomTensor([c], seed: 240, low: 0.5, high: 2, requiresGrad: false)
            checkGradients([x, w, b, r], "bn relu eval \(shape)") {
                try Tensor.batchNormReLU($0[0].split(sizes: split, dim: 1), adding: $0[3], runningMean: rm, runningVar: rv,
                                         weight: $0[1], bias: $0[2], training: false)
            }
        }
    }

    /// The fused op against batch_norm → add → relu on the concatenation: values, running
    /// statistics and the gradient of every input, with ReLU kinks included.
    func testMatchesSeparateOps() throws {
        for (i, (shape, split)) in [([3, 5, 9], [2, 3]), ([2, 8, 4, 4], [4, 4]), ([1, 3, 17], [3])].enumerated() {
            let c = shape[1]
            func inputs() -> [Tensor] {
                [randomTensor(shape, seed: UInt64(300 + i), low: -2, high: 2), randomTensor([c], seed: UInt64(310 + i), low: 0.5, high: 1.5),
                 randomTensor([c], seed: UInt64(320 + i)), randomTensor(shape, seed: UInt64(330 + i))]
            }
            let fused = inputs(), separate = inputs()
            let stats = [try Tensor.zeros([c]), try Tensor.ones([c]), try Tensor.zeros([c]), try Tensor.ones([c])]
            let g = randomTensor(shape, seed: UInt64(340 + i), requiresGrad: false)
            let y1 = try Tensor.batchNormReLU(fused[0].split(sizes: split, dim: 1), adding: fused[3], runningMean: stats[0],
                                              runningVar: stats[1], weight: fused[1], bias: fused[2], training: true, momentum: 0.3)
            let y2 = try Tensor.cat(separate[0].split(sizes: split, dim: 1), dim: 1)
                .batchNorm(runningMean: stats[2], runningVar: stats[3], weight: separate[1], bias: separate[2], training: true, momentum: 0.3)
                .adding(separate[3]).relu()
            assertClose(y1.scalars, y2.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6)
            assertClose(stats[0].scalars, stats[2].scalars.map(Double.init), rtol: 1e-6, atol: 1e-7)
            assertClose(stats[1].scalars, stats[3].scalars.map(Double.init), rtol: 1e-6, atol: 1e-7)
            try y1.backward(g)
            try y2.backward(g)
            for (a, b) in zip(fused, separate) {
                assertClose(a.grad!.scalars, b.grad!.scalars.map(Double.init), rtol: 1e-4, atol: 1e-5, "\(shape) grad")
            }
        }
    }

    func testErrors() {
        let x = randomTensor([2, 3, 4], seed: 1, requiresGrad: false)
        assertThrows(.invalidArgument, contains: "non-empty",
                     try Tensor.batchNormReLU([], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true))
        assertThrows(.invalidArgument, contains: "dimension 1",
                     try Tensor.batchNormReLU([x, randomTensor([2, 3, 5], seed: 2)], runningMean: nil, runningVar: nil,
                                              weight: nil, bias: nil, training: true))
        assertThrows(.invalidArgument, contains: "residual",
                     try Tensor.batchNormReLU([x], adding: randomTensor([2, 3, 5], seed: 2), runningMean: nil, runningVar: nil,
                                              weight: nil, bias: nil, training: true))
        assertThrows(.invalidArgument, contains: "should contain 3 elements",
                     try Tensor.batchNormReLU([x], runningMean: nil, runningVar: nil, weight: try Tensor.ones([4]),
                                              bias: nil, training: true))
        assertThrows(.runtime, contains: "running_mean",
                     try Tensor.batchNormReLU([x], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: false))
    }

    /// The layer's fused call: same output and running statistics as the layer then ReLU,
    /// and one batch counted.
    func testBatchNormLayerWithReLU() throws {
        let x = randomTensor([4, 3, 5], seed: 400, low: -2, high: 2, requiresGrad: false)
        let fused = try BatchNorm1d(3, momentum: nil), separate = try BatchNorm1d(3, momentum: nil)
        for _ in 0..<2 {
            let y1 = try fused.withReLU(try x.split(sizes: [1, 2], dim: 1))
            let y2 = try separate(x).relu()
            assertClose(y1.scalars, y2.scalars.map(Double.init), rtol: 1e-6, atol: 1e-6)
        }
        XCTAssertEqual(fused.numBatchesTracked!.scalars, [2])
        assertClose(fused.runningVar!.scalars, separate.runningVar!.scalars.map(Double.init), rtol: 1e-6)
        assertThrows(.invalidArgument, contains: "expected input with 3 channels", try fused.withReLU(randomTensor([4, 2, 5], seed: 1)))
    }
}
