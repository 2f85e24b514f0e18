import XCTest
@testable import SwiftNN

/// matmul (every rank combination and batch broadcasting) and linear.
final class MatMulOpTests: XCTestCase {
    // MARK: matmul forward

    func testMatmulHandComputed() throws {
        let a = tensor([2, 2], [1, 2, 3, 4]), b = tensor([2, 2], [5, 6, 7, 8])
        assertClose(try a.matmul(b), shape: [2, 2], [19, 22, 43, 50] as [Float])
        // 1-D · 1-D: dot product, 0-d result
        let dot = try tensor([3], [1, 2, 3]).matmul(tensor([3], [4, 5, 6]))
        assertClose(dot, shape: [], [32] as [Float])
        // 1-D · 2-D: row vector, leading dim removed
        let m23 = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        assertClose(try tensor([2], [1, 2]).matmul(m23), shape: [3], [9, 12, 15] as [Float])
        // 2-D · 1-D: column vector, trailing dim removed
        assertClose(try m23.matmul(tensor([3], [1, 1, 1])), shape: [2], [6, 15] as [Float])
        // batched: each batch its own product
        let ba = tensor([2, 1, 2], [1, 2, 3, 4]), bb = tensor([2, 2, 1], [1, 1, 2, 0])
        assertClose(try ba.matmul(bb), shape: [2, 1, 1], [3, 6] as [Float])
    }

    func testMatmulAgainstNaive() throws {
        let cases: [([Int], [Int])] = [
            ([1, 1], [1, 1]), ([1], [1]), ([7], [7]), ([7, 17], [17, 7]), ([17, 7], [7, 17]),
            ([17, 17], [17, 17]), ([1, 17], [17, 1]), ([17], [17, 7]), ([7, 17], [17]),
            ([2, 3, 4], [2, 4, 5]), ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]), ([2, 1, 3, 4], [3, 4, 5]),
            ([2, 7, 17], [17, 1]), ([3, 1, 7, 5], [2, 5, 4]), ([4], [2, 4, 3]), ([2, 3, 4], [4]),
            ([5, 20, 30], [30, 17]), ([2, 17, 17], [1, 17, 17]),
        ]
        for (i, (sa, sb)) in cases.enumerated() {
            let a = randomTensor(sa, seed: UInt64(200 + i), requiresGrad: false)
            let b = randomTensor(sb, seed: UInt64(300 + i), requiresGrad: false)
            let ref = Naive.matmul(a.scalars, sa, b.scalars, sb)
            assertClose(try a.matmul(b), shape: ref.shape, ref.values, rtol: 1e-4, atol: 1e-5, "\(sa) @ \(sb)")
        }
    }

    func testMatmulEmptyInnerDimensionGivesZeros() throws {
        let a = try Tensor.zeros([2, 0]), b = try Tensor.zeros([0, 3])
        assertClose(try a.matmul(b), shape: [2, 3], [Float](repeating: 0, count: 6))
    }

    // MARK: matmul gradients

    func testMatmulGradients() {
        let cases: [([Int], [Int])] = [
            ([3, 4], [4, 5]),        // 2-D
            ([4], [4, 5]),           // 1-D · 2-D
            ([3, 4], [4]),           // 2-D · 1-D
            ([4], [4]),              // 1-D · 1-D
            ([2, 3, 4], [2, 4, 5]),  // batched
            ([2, 3, 4], [4, 5]),     // batch broadcast on the right operand
            ([3, 4], [2, 4, 5]),     // batch broadcast on the left operand
            ([2, 1, 3, 4], [3, 4, 5]), // batch dims broadcast against each other
            ([2, 3, 4], [1, 4, 5]),  // size-1 batch dim
            ([4], [2, 4, 3]),        // 1-D · batched
            ([2, 3, 4], [4]),        // batched · 1-D
            ([1, 1], [1, 1]), ([7, 1], [1, 7]), ([1, 7], [7, 1]),
        ]
        for (i, (sa, sb)) in cases.enumerated() {
            let a = randomTensor(sa, seed: UInt64(400 + i))
            let b = randomTensor(sb, seed: UInt64(500 + i))
            checkGradients([a, b], "\(sa) @ \(sb)") { try $0[0].matmul($0[1]) }
        }
    }

    func testMatmulWithItself() {
        let sq = randomTensor([3, 3], seed: 606)
        checkGradients([sq], "x @ x") { try $0[0].matmul($0[0]) }
        checkGradients([sq], "x @ xT") { try $0[0].matmul($0[0].transpose(0, 1)) }
    }

    func testMatmulGradientLargePath() {
        // 17·17·17 multiply-adds exceed the small-GEMM threshold, so the packed kernel
        // runs forward and backward.
        let a = randomTensor([17, 17], seed: 601), b = randomTensor([17, 17], seed: 602)
        checkGradients([a, b], "17x17 @ 17x17") { try $0[0].matmul($0[1]) }
    }

    func testMatmulGradientOneSide() {
        let a = randomTensor([2, 3, 4], seed: 603, requiresGrad: false), b = randomTensor([4, 5], seed: 604)
        checkGradients([a, b], "const @ b") { try $0[0].matmul($0[1]) }
        checkGradients([b.detach(), randomTensor([5, 2], seed: 605)], "const @ b 2-D") { try $0[0].matmul($0[1]) }
    }

    func testMatmulErrors() {
        assertThrows(.invalidArgument, try tensor([2, 3], [1, 2, 3, 4, 5, 6]).matmul(tensor([2, 3], [1, 2, 3, 4, 5, 6])))
        assertThrows(.invalidArgument, try tensor([3], [1, 2, 3]).matmul(tensor([2], [1, 2])))
        assertThrows(.invalidArgument, try Tensor(1).matmul(tensor([1], [1])))
        assertThrows(.invalidArgument, try tensor([1], [1]).matmul(Tensor(1)))
        assertThrows(.invalidArgument, try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5])))
    }

    // MARK: linear

    func testLinearHandComputed() throws {
        let x = tensor([2, 2], [1, 2, -1, 3])
        let w = tensor([3, 2], [1, 0, 0, 1, 1, 1])
        let b = tensor([3], [0.5, -0.5, 1])
        assertClose(try x.linear(weight: w, bias: b), shape: [2, 3], [1.5, 1.5, 4, -0.5, 2.5, 3] as [Float])
        assertClose(try x.linear(weight: w, bias: nil), shape: [2, 3], [1, 2, 3, -1, 3, 2] as [Float])
        // 1-D input gives a 1-D output
        assertClose(try tensor([2], [1, 2]).linear(weight: w, bias: b), shape: [3], [1.5, 1.5, 4] as [Float])
    }

    func testLinearAgainstNaive() throws {
        for (i, (xShape, outF)) in [([1, 1], 1), ([7, 17], 7), ([17, 7], 17), ([2, 3, 17], 7), ([17, 17], 17), ([33, 40], 20)].enumerated() {
            let inF = xShape.last!
            let x = randomTensor(xShape, seed: UInt64(700 + i), requiresGrad: false)
            let w = randomTensor([outF, inF], seed: UInt64(800 + i), requiresGrad: false)
            let b = randomTensor([outF], seed: UInt64(900 + i), requiresGrad: false)
            let wt = Naive.permute(w.scalars, w.shape, [1, 0])
            let prod = Naive.matmul(x.scalars, xShape, wt.values.map(Float.init), wt.shape)
            let ref = Naive.elementwise(prod.values.map(Float.init), prod.shape, b.scalars, [outF], +)
            assertClose(try x.linear(weight: w, bias: b), shape: ref.shape, ref.values, rtol: 1e-4, atol: 1e-5, "\(xShape) -> \(outF)")
            assertClose(try x.linear(weight: w, bias: nil), shape: prod.shape, prod.values, rtol: 1e-4, atol: 1e-5, "\(xShape) -> \(outF) no bias")
        }
    }

    func testLinearGradients() {
        let x2 = randomTensor([3, 4], seed: 1001), x3 = randomTensor([2, 3, 4], seed: 1002), x1 = randomTensor([4], seed: 1003)
        let w = randomTensor([5, 4], seed: 1004), b = randomTensor([5], seed: 1005)
        checkGradients([x2, w, b], "linear 2-D with bias") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        checkGradients([x2, w], "linear 2-D without bias") { try $0[0].linear(weight: $0[1], bias: nil) }
        checkGradients([x3, w, b], "linear 3-D with bias") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        checkGradients([x3, w], "linear 3-D without bias") { try $0[0].linear(weight: $0[1], bias: nil) }
        checkGradients([x1, w, b], "linear 1-D with bias") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        // Only the parameters require grad (the usual first layer).
        let xc = randomTensor([3, 4], seed: 1006, requiresGrad: false)
        checkGradients([xc, w, b], "linear const input") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        // Awkward sizes, including the packed GEMM path.
        checkGradients([randomTensor([17, 17], seed: 1007), randomTensor([17, 17], seed: 1008), randomTensor([17], seed: 1009)],
                       "linear 17x17 -> 17") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        checkGradients([randomTensor([1, 1], seed: 1010), randomTensor([1, 1], seed: 1011), randomTensor([1], seed: 1012)],
                       "linear 1x1") { try $0[0].linear(weight: $0[1], bias: $0[2]) }
    }

    func testLinearMatchesMatmulPlusBias() throws {
        let x = randomTensor([2, 3, 4], seed: 1013, requiresGrad: false)
        let w = randomTensor([5, 4], seed: 1014, requiresGrad: false), b = randomTensor([5], seed: 1015, requiresGrad: false)
        let viaMatmul = try x.matmul(w.transpose(0, 1)) + b
        assertClose(try x.linear(weight: w, bias: b), shape: [2, 3, 5], viaMatmul.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6)
    }

    func testLinearZeroInFeatures() throws {
        // With in_features = 0 the product is empty: the output is the bias
        // broadcast over the rows (zeros without a bias), as in PyTorch.
        let x = try Tensor.zeros([2, 0])
        let w = try Tensor.zeros([3, 0])
        let b = tensor([3], [1, 2, 3])
        assertClose(try x.linear(weight: w, bias: b), shape: [2, 3], [1, 2, 3, 1, 2, 3] as [Float])
        assertClose(try x.linear(weight: w, bias: nil), shape: [2, 3], [0, 0, 0, 0, 0, 0] as [Float])
    }

    func testLinearErrors() {
        let x = randomTensor([2, 4], seed: 1, requiresGrad: false)
        assertThrows(.invalidArgument, try x.linear(weight: Tensor.zeros([4]), bias: nil))
        assertThrows(.invalidArgument, try x.linear(weight: Tensor.zeros([5, 3]), bias: nil))
        assertThrows(.invalidArgument, try x.linear(weight: Tensor.zeros([5, 4]), bias: Tensor.zeros([4])))
        assertThrows(.invalidArgument, try x.linear(weight: Tensor.zeros([5, 4]), bias: Tensor.zeros([1, 5])))
        assertThrows(.invalidArgument, try Tensor(1).linear(weight: Tensor.zeros([5, 1]), bias: nil))
    }
}
