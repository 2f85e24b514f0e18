import Foundation
import XCTest
@testable import SwiftNN

/// relu, sigmoid, tanh, exp, log, softmax, logSoftmax.
final class UnaryOpTests: XCTestCase {
    // MARK: Forward

    func testReluForward() throws {
        let x = tensor([5], [-1, 0, 2, -0.5, 3.25])
        assertClose(try x.relu(), shape: [5], [0, 0, 2, 0, 3.25] as [Float])
        XCTAssertTrue(try tensor([1], [.nan]).relu().scalars[0].isNaN, "relu keeps NaN, as PyTorch")
    }

    func testReluGradientAtAndAroundZero() throws {
        // PyTorch's relu gradient is 0 at exactly 0.
        let x = try Tensor(shape: [4], scalars: [-1, 0, 2, 1e-30], requiresGrad: true)
        try x.relu().backward(tensor([4], [5, 5, 5, 5]))
        assertClose(x.grad, shape: [4], [0, 0, 5, 5] as [Float])
    }

    func testSigmoidTanhExpLogForward() throws {
        let x = tensor([4], [0, 1, -2, 0.5])
        assertClose(try x.sigmoid(), shape: [4], [0.5, 1 / (1 + Foundation.exp(-1.0)), 1 / (1 + Foundation.exp(2.0)), 1 / (1 + Foundation.exp(-0.5))])
        assertClose(try x.tanh(), shape: [4], [0, Foundation.tanh(1.0), Foundation.tanh(-2.0), Foundation.tanh(0.5)])
        assertClose(try x.exp(), shape: [4], [1, M_E, Foundation.exp(-2.0), Foundation.exp(0.5)])
        let p = tensor([4], [1, Float(M_E), 0.5, 10])
        assertClose(try p.log(), shape: [4], [0, 1, Foundation.log(0.5), Foundation.log(10.0)])
        // Extremes: sigmoid saturates without NaN, log(0) = -inf, log(-1) = NaN.
        let ext = try tensor([2], [-100, 100]).sigmoid().scalars
        XCTAssertEqual(ext[0], 0, accuracy: 1e-30)
        XCTAssertEqual(ext[1], 1)
        let logs = try tensor([2], [0, -1]).log().scalars
        XCTAssertEqual(logs[0], -.infinity)
        XCTAssertTrue(logs[1].isNaN)
    }

    func testUnaryAwkwardSizes() throws {
        for (i, shape) in [[1], [7], [17], [7, 17], [1, 1, 1]].enumerated() {
            let x = randomTensor(shape, seed: UInt64(20 + i), low: -3, high: 3, requiresGrad: false)
            let v = x.scalars.map(Double.init)
            assertClose(try x.relu(), shape: shape, v.map { max($0, 0) })
            assertClose(try x.sigmoid(), shape: shape, v.map { 1 / (1 + Foundation.exp(-$0)) })
            assertClose(try x.tanh(), shape: shape, v.map { Foundation.tanh($0) })
            assertClose(try x.exp(), shape: shape, v.map { Foundation.exp($0) })
            assertClose(try x.exp().log(), shape: shape, v, atol: 1e-6)
        }
    }

    // MARK: Gradients

    func testUnaryGradients() {
        let shapes: [[Int]] = [[2, 3], [7], [17], [1], []]
        for (i, shape) in shapes.enumerated() {
            let s = UInt64(30 + i)
            checkGradients([randomTensor(shape, seed: s, low: -2, high: 2, awayFromZero: 0.1)], "relu \(shape)") { try $0[0].relu() }
            checkGradients([randomTensor(shape, seed: s, low: -3, high: 3)], "sigmoid \(shape)") { try $0[0].sigmoid() }
            checkGradients([randomTensor(shape, seed: s, low: -2, high: 2)], "tanh \(shape)") { try $0[0].tanh() }
            checkGradients([randomTensor(shape, seed: s, low: -2, high: 2)], "exp \(shape)") { try $0[0].exp() }
            checkGradients([randomTensor(shape, seed: s, low: 0.5, high: 3)], "log \(shape)") { try $0[0].log() }
        }
    }

    func testUnaryExactGradients() throws {
        let x = try Tensor(shape: [3], scalars: [0, 1, -1], requiresGrad: true)
        try x.sigmoid().backward(try Tensor.ones([3]))
        let sig = [0.5, 1 / (1 + Foundation.exp(-1.0)), 1 / (1 + Foundation.exp(1.0))]
        assertClose(x.grad, shape: [3], sig.map { $0 * (1 - $0) })
        try x.setGrad(nil)
        try x.tanh().backward(try Tensor.ones([3]))
        assertClose(x.grad, shape: [3], [1, 1 - pow(Foundation.tanh(1.0), 2), 1 - pow(Foundation.tanh(1.0), 2)])
        try x.setGrad(nil)
        try x.exp().backward(try Tensor.ones([3]))
        assertClose(x.grad, shape: [3], [1, M_E, 1 / M_E])
        let y = try Tensor(shape: [2], scalars: [2, 0.25], requiresGrad: true)
        try y.log().backward(try Tensor.ones([2]))
        assertClose(y.grad, shape: [2], [0.5, 4] as [Float])
    }

    // MARK: Softmax

    func testSoftmaxHandComputed() throws {
        let x = tensor([1, 3], [1, 2, 3])
        let e = [Foundation.exp(1.0), Foundation.exp(2.0), Foundation.exp(3.0)]
        let total = e.reduce(0, +)
        assertClose(try x.softmax(dim: 1), shape: [1, 3], e.map { $0 / total })
        assertClose(try x.logSoftmax(dim: -1), shape: [1, 3], e.map { Foundation.log($0 / total) })
        // Over a dimension of size 1 every value is 1 (log 0).
        assertClose(try x.softmax(dim: 0), shape: [1, 3], [1, 1, 1] as [Float])
        assertClose(try x.logSoftmax(dim: 0), shape: [1, 3], [0, 0, 0] as [Float])
        // Max-shifted: huge logits do not overflow.
        assertClose(try tensor([3], [1000, 1000, -1000]).softmax(dim: 0), shape: [3], [0.5, 0.5, 0] as [Float])
        assertClose(try tensor([2], [1000, 0]).logSoftmax(dim: 0), shape: [2], [0, -1000] as [Float])
        // Rows sum to one.
        let s = try randomTensor([4, 7], seed: 3, low: -5, high: 5, requiresGrad: false).softmax(dim: 1)
        for r in 0..<4 {
            XCTAssertEqual(s.scalars[(r * 7)..<(r * 7 + 7)].reduce(0, +), 1, accuracy: 1e-6)
        }
    }

    func testSoftmaxAgainstNaiveAllDims() throws {
        for (i, shape) in [[2, 3, 4], [1, 7, 1], [17, 7], [7, 1, 17], [17]].enumerated() {
            let x = randomTensor(shape, seed: UInt64(40 + i), low: -4, high: 4, requiresGrad: false)
            for dim in -shape.count..<shape.count {
                for log in [false, true] {
                    let ref = Naive.softmax(x.scalars, shape, dim: dim, log: log)
                    let got = log ? try x.logSoftmax(dim: dim) : try x.softmax(dim: dim)
                    assertClose(got, shape: shape, ref, rtol: 1e-5, atol: 1e-6, "\(log ? "log" : "")softmax \(shape) dim \(dim)")
                }
            }
        }
    }

    func testSoftmaxGradients3D() {
        for dim in [0, 1, 2, -1] {
            let x = randomTensor([2, 3, 4], seed: UInt64(50 + dim + 1), low: -2, high: 2)
            checkGradients([x], "softmax dim \(dim)") { try $0[0].softmax(dim: dim) }
            checkGradients([x], "logSoftmax dim \(dim)") { try $0[0].logSoftmax(dim: dim) }
        }
        let odd = randomTensor([7, 17], seed: 57, low: -2, high: 2)
        checkGradients([odd], "softmax 7x17 dim 1") { try $0[0].softmax(dim: 1) }
        checkGradients([odd], "logSoftmax 7x17 dim 0") { try $0[0].logSoftmax(dim: 0) }
        let single = randomTensor([1], seed: 58)
        checkGradients([single], "softmax [1]") { try $0[0].softmax(dim: 0) }
    }

    func testSoftmaxErrors() {
        let x = randomTensor([2, 3, 4], seed: 1, requiresGrad: false)
        assertThrows(.outOfRange, try x.softmax(dim: 3))
        assertThrows(.outOfRange, try x.logSoftmax(dim: -4))
    }
}
