import Foundation
import XCTest
@testable import SwiftNN

/// leaky_relu, gelu, silu, dropout2d, cat/stack/split/chunk/narrow, pad, permute, amin,
/// and the [N,C,1,1]·[N,C,H,W] broadcast.
final class NormActivationJoinTests: XCTestCase {
    func testActivationForward() throws {
        let x = tensor([5], [-2, -0.5, 0, 0.5, 3])
        let v: [Double] = [-2, -0.5, 0, 0.5, 3]
        assertClose(try x.leakyRelu(), shape: [5], v.map { $0 > 0 ? $0 : 0.01 * $0 })
        assertClose(try x.leakyRelu(negativeSlope: 0.2), shape: [5], v.map { $0 > 0 ? $0 : 0.2 * $0 })
        assertClose(try x.gelu(), shape: [5], v.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) })
        let c = (2 / Double.pi).squareRoot()
        assertClose(try x.gelu(approximate: "tanh"), shape: [5], v.map { 0.5 * $0 * (1 + Foundation.tanh(c * ($0 + 0.044715 * $0 * $0 * $0))) })
        assertClose(try x.silu(), shape: [5], v.map { $0 / (1 + Foundation.exp(-$0)) })
        assertThrows(.invalidArgument, contains: "approximate", try x.gelu(approximate: "fast"))
    }

    func testActivationGradients() {
        for (i, shape) in [[7], [17], [1], [2, 3]].enumerated() {
            let s = UInt64(100 + i)
            checkGradients([randomTensor(shape, seed: s, low: -3, high: 3, awayFromZero: 0.1)], "leaky \(shape)") { try $0[0].leakyRelu(negativeSlope: 0.1) }
            checkGradients([randomTensor(shape, seed: s, low: -3, high: 3)], "gelu \(shape)") { try $0[0].gelu() }
            checkGradients([randomTensor(shape, seed: s, low: -3, high: 3)], "gelu tanh \(shape)") { try $0[0].gelu(approximate: "tanh") }
            checkGradients([randomTensor(shape, seed: s, low: -3, high: 3)], "silu \(shape)") { try $0[0].silu() }
        }
    }

    func testDropout2dZeroesWholeChannels() throws {
        manualSeed(3)
        let x = try Tensor.ones([4, 6, 3, 2], requiresGrad: true)
        let y = try x.dropout2d(p: 0.5, training: true)
        let values = y.scalars
        var kept = 0
        for ch in 0..<24 {
            let slice = Array(values[(ch * 6)..<((ch + 1) * 6)])
            XCTAssertTrue(slice.allSatisfy { $0 == slice[0] } && (slice[0] == 0 || slice[0] == 2), "channel \(ch): \(slice)")
            if slice[0] != 0 { kept += 1 }
        }
        XCTAssertTrue(kept > 0 && kept < 24)
        try y.backward(try Tensor.ones(y.shape))
        XCTAssertEqual(x.grad!.scalars, values)
        XCTAssertTrue(try x.dropout2d(p: 0.5, training: false) === x)
        assertThrows(.invalidArgument, try x.dropout2d(p: 1.5, training: true))
        assertThrows(.invalidArgument, try Tensor.ones([3, 4]).dropout2d(p: 0.5, training: true))
    }

    func testCatStackForwardAndGradients() throws {
        let a = tensor([2, 2], [1, 2, 3, 4]), b = tensor([2, 1], [5, 6])
        assertClose(try Tensor.cat([a, b], dim: 1), shape: [2, 3], [1, 2, 5, 3, 4, 6] as [Float])
        assertClose(try Tensor.cat([a, a], dim: 0), shape: [4, 2], [1, 2, 3, 4, 1, 2, 3, 4] as [Float])
        assertClose(try Tensor.stack([a, a], dim: 2), shape: [2, 2, 2], [1, 1, 2, 2, 3, 3, 4, 4] as [Float])
        for (i, (shapes, dim)) in [([[2, 3, 4], [2, 1, 4], [2, 7, 4]], 1), ([[1, 7], [17, 7]], 0), ([[3, 2], [3, 5]], -1)].enumerated() {
            let inputs = shapes.enumerated().map { randomTensor($1, seed: UInt64(200 + 10 * i + $0)) }
            checkGradients(inputs, "cat \(shapes) dim \(dim)") { try Tensor.cat($0, dim: dim) }
        }
        let s = [randomTensor([3, 4], seed: 1), randomTensor([3, 4], seed: 2)]
        checkGradients(s, "stack dim 1") { try Tensor.stack($0, dim: 1) }
        checkGradients(s, "stack dim -1") { try Tensor.stack($0, dim: -1) }
        assertThrows(.invalidArgument, contains: "[2, 1]", try Tensor.cat([a, b], dim: 0))
        assertThrows(.invalidArgument, try Tensor.cat([], dim: 0))
        assertThrows(.outOfRange, try Tensor.cat([a, a], dim: 2))
        assertThrows(.invalidArgument, contains: "[2, 1]", try Tensor.stack([a, b]))
    }

    func testSplitChunkNarrow() throws {
        let x = try Tensor.arange(0, 10).reshape([2, 5])
        let parts = try x.split(sizes: [1, 3, 1], dim: 1)
        XCTAssertEqual(parts.map(\.shape), [[2, 1], [2, 3], [2, 1]])
        XCTAssertEqual(parts[1].scalars, [1, 2, 3, 6, 7, 8])
        XCTAssertEqual(try x.split(size: 2, dim: 1).map(\.shape), [[2, 2], [2, 2], [2, 1]])
        XCTAssertEqual(try x.chunk(3, dim: 1).map(\.shape), [[2, 2], [2, 2], [2, 1]])
        XCTAssertEqual(try Tensor.zeros([6]).chunk(4).map(\.shape), [[2], [2], [2]], "torch.chunk gives fewer chunks here")
        assertThrows(.invalidArgument, contains: "sum exactly to 5", try x.split(sizes: [1, 2], dim: 1))
        assertThrows(.outOfRange, try x.split(size: 1, dim: 3))
        assertThrows(.outOfRange, try x.narrow(dim: 1, start: 3, length: 3))
        let y = randomTensor([3, 17], seed: 5)
        checkGradients([y], "split pieces") { t in
            let p = try t[0].split(sizes: [7, 0, 10], dim: 1)
            return try Tensor.cat([p[2], try p[0].multiplying(try Tensor(2))], dim: 1)
        }
        checkGradients([y], "chunk") { try $0[0].chunk(2, dim: 0)[1] }
    }

    func testPad() throws {
        let x = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        assertClose(try x.pad([1, 0]), shape: [2, 4], [0, 1, 2, 3, 0, 4, 5, 6] as [Float])
        assertClose(try x.pad([0, 1, 1, 0], value: 9), shape: [3, 4], [9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6, 9] as [Float])
        assertClose(try x.pad([-1, 1]), shape: [2, 3], [2, 3, 0, 5, 6, 0] as [Float])
        for (i, (shape, pads)) in [([2, 3, 4, 5], [1, 2, 0, 1]), ([1, 7], [3, 3]), ([17], [0, 2]), ([2, 3, 4], [-1, 2, 1, -1, 1, 1])].enumerated() {
            checkGradients([randomTensor(shape, seed: UInt64(300 + i))], "pad \(shape) \(pads)") { try $0[0].pad(pads, value: 0.5) }
        }
        assertThrows(.invalidArgument, try x.pad([1]))
        assertThrows(.invalidArgument, try x.pad([1, 1, 1, 1, 1, 1]))
        assertThrows(.invalidArgument, try x.pad([-3, -1]))
    }

    func testPermuteAminAndChannelBroadcast() throws {
        checkGradients([randomTensor([2, 3, 4], seed: 7)], "permute") { try $0[0].permute([2, 0, 1]) }
        checkGradients([randomTensor([1, 7, 1], seed: 8)], "permute odd") { try $0[0].permute([1, 2, 0]) }
        let x = tensor([2, 3], [3, 1, 2, 1, 5, 1])
        assertClose(try x.amin(dims: [1]), shape: [2], [1, 1] as [Float])
        assertClose(try x.amin(dims: [0, 1], keepDim: true), shape: [1, 1], [1] as [Float])
        let t = try Tensor(shape: [2, 3], scalars: [3, 1, 2, 1, 5, 1], requiresGrad: true)
        try t.amin(dims: [1]).backward(tensor([2], [1, 4]))
        assertClose(t.grad, shape: [2, 3], [0, 1, 0, 2, 0, 2] as [Float])
        checkGradients([distinctTensor([3, 4, 5], seed: 9)], "amin dims") { try $0[0].amin(dims: [0, 2], keepDim: true) }
        checkGradients([distinctTensor([3, 4, 5], seed: 10)], "amax dims") { try $0[0].amax(dims: [-1, 0]) }
        checkGradients([randomTensor([2, 3, 4, 5], seed: 11)], "mean dims keepdim") { try $0[0].mean(dims: [2, 3], keepDim: true) }
        assertThrows(.outOfRange, try Tensor.zeros([0, 3]).amin(dims: [0]))
        // Squeeze-excitation scaling: [N, C, 1, 1] · [N, C, H, W].
        let s = randomTensor([2, 3, 1, 1], seed: 12), f = randomTensor([2, 3, 4, 5], seed: 13)
        let y = try s.multiplying(f)
        let expected = (0..<f.count).map { Double(s.scalars[$0 / 20]) * Double(f.scalars[$0]) }
        assertClose(y, shape: [2, 3, 4, 5], expected)
        checkGradients([s, f], "se broadcast") { try $0[0].multiplying($0[1]) }
    }
}
