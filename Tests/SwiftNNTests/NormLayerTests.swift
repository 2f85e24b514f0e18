import Foundation
import XCTest
@testable import SwiftNN

/// BatchNorm1d/2d, LayerNorm, LocalResponseNorm and activation layers; init helpers.
final class NormLayerTests: XCTestCase {
    func testBatchNormStateAndRunningStats() throws {
        let bn = try BatchNorm2d(3)
        XCTAssertEqual(bn.stateDict().map(\.name), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.description, "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")
        let x = randomTensor([4, 3, 2, 2], seed: 1, low: 0, high: 4, requiresGrad: false)
        for _ in 0..<3 { _ = try bn(x) }
        XCTAssertEqual(bn.numBatchesTracked!.scalars, [3])
        // Three identical updates: running = (1 − 0.9³)·batch stat (+ 0.9³ for the variance).
        let mean = try x.mean(dims: [0, 2, 3]).scalars
        let decay = 1 - Foundation.pow(0.9, 3.0)
        assertClose(bn.runningMean!.scalars, mean.map { decay * Double($0) }, rtol: 1e-4)
        bn.eval()
        let y = try bn(x)
        XCTAssertEqual(bn.numBatchesTracked!.scalars, [3], "eval mode does not count batches")
        XCTAssertEqual(y.shape, x.shape)
        assertThrows(.invalidArgument, contains: "4D", try bn(randomTensor([4, 3, 2], seed: 1)))
        assertThrows(.invalidArgument, contains: "3 channels", try bn(randomTensor([4, 2, 2, 2], seed: 1)))
    }

    func testBatchNormCumulativeAverageAndNoTracking() throws {
        let bn = try BatchNorm1d(2, momentum: nil)
        let a = randomTensor([5, 2], seed: 1, requiresGrad: false), b = randomTensor([5, 2], seed: 2, requiresGrad: false)
        _ = try bn(a); _ = try bn(b)
        let ma = try a.mean(dims: [0]).scalars, mb = try b.mean(dims: [0]).scalars
        assertClose(bn.runningMean!.scalars, zip(ma, mb).map { (Double($0) + Double($1)) / 2 }, rtol: 1e-5, atol: 1e-6)
        let plain = try BatchNorm1d(2, affine: false, trackRunningStats: false)
        XCTAssertTrue(plain.stateDict().isEmpty)
        plain.eval()
        let y = try plain(a)
        assertClose(try y.mean(dims: [0]).scalars, [0, 0] as [Double], atol: 1e-5)
        assertThrows(.invalidArgument, contains: "more than 1 value", try bn(randomTensor([1, 2], seed: 1)))
        XCTAssertEqual(bn.numBatchesTracked!.scalars, [2], "a failed forward does not count")
        bn.eval()
        XCTAssertEqual(try bn(randomTensor([1, 2], seed: 1)).shape, [1, 2], "batch 1 is fine in eval mode")
        assertThrows(.invalidArgument, try BatchNorm2d(0))
    }

    func testOtherLayers() throws {
        let ln = try LayerNorm([4])
        XCTAssertEqual(ln.stateDict().map(\.name), ["weight", "bias"])
        XCTAssertEqual(ln.description, "LayerNorm((4,), eps=1e-05, elementwise_affine=True)")
        XCTAssertEqual(try LayerNorm([4], bias: false).stateDict().map(\.name), ["weight"])
        XCTAssertEqual(try LayerNorm([4], elementwiseAffine: false).stateDict().count, 0)
        XCTAssertEqual(try ln(randomTensor([3, 4], seed: 1)).shape, [3, 4])
        XCTAssertEqual(try LocalResponseNorm(size: 2)(randomTensor([1, 3, 2, 2], seed: 1)).shape, [1, 3, 2, 2])
        XCTAssertEqual(try GELU(approximate: "tanh").description, "GELU(approximate='tanh')")
        XCTAssertEqual(LeakyReLU().description, "LeakyReLU(negative_slope=0.01)")
        let d = try Dropout2d(p: 0.5)
        d.eval()
        let x = randomTensor([2, 3, 2, 2], seed: 1)
        XCTAssertTrue(try d(x) === x)
        XCTAssertEqual(try SiLU()(x).shape, x.shape)
    }

    func testInitHelpers() throws {
        XCTAssertEqual(try Init.gain("relu"), Float(2).squareRoot())
        XCTAssertEqual(try Init.gain("tanh"), 5.0 / 3)
        XCTAssertEqual(try Init.gain("leaky_relu", param: 0.2), (2 / 1.04 as Float).squareRoot())
        assertThrows(.invalidArgument, try Init.gain("swish"))
        let w = try Tensor.zeros([64, 16, 3, 3])
        try Init.kaimingNormal(w, mode: .fanOut, nonlinearity: "relu")
        let values = w.scalars.map(Double.init)
        let std = (values.map { $0 * $0 }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / (64 * 9)).squareRoot(), accuracy: 0.004)
        try Init.xavierUniform(w, gain: 2)
        let bound = 2 * (6.0 / Double(16 * 9 + 64 * 9)).squareRoot()
        XCTAssertTrue(w.scalars.allSatisfy { abs(Double($0)) <= bound })
        XCTAssertGreaterThan(w.scalars.map { abs(Double($0)) }.max()!, 0.9 * bound)
        try Init.kaimingUniform(w, a: 0, mode: .fanIn, nonlinearity: "relu")
        XCTAssertTrue(w.scalars.allSatisfy { abs(Double($0)) <= (6.0 / 144).squareRoot() })
        assertThrows(.invalidArgument, try Init.xavierNormal(try Tensor.zeros([3])))
    }
}
