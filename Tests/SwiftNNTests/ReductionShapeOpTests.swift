import XCTest
@testable import SwiftNN

/// sum, mean, amax, max(dim:), and the shape ops (reshape, view, flatten,
/// unsqueeze, squeeze, permute, transpose).
final class ReductionOpTests: XCTestCase {
    private let m23 = tensor([2, 3], [1, 2, 3, 4, 5, 6])

    func testSqueezeDimsAllListedOrNone() throws {
        let x = try Tensor.zeros([1, 3, 1, 2])
        XCTAssertEqual(try x.squeeze(dims: nil).shape, [3, 2])
        XCTAssertEqual(try x.squeeze(dims: [0, -2]).shape, [3, 2])
        XCTAssertEqual(try x.squeeze(dims: [2, 2, -2]).shape, [1, 3, 2])
        XCTAssertEqual(try x.squeeze(dims: [1]).shape, [1, 3, 1, 2])  // not size 1: kept
        XCTAssertEqual(try x.squeeze(dims: []).shape, [1, 3, 1, 2])
        XCTAssertEqual(try Tensor(4).squeeze(dims: [0]).shape, [])
        assertThrows(.outOfRange, try x.squeeze(dims: [4]))
    }

    func testSumMeanHandComputed() throws {
        assertClose(try m23.sum(), shape: [], [21] as [Float])
        assertClose(try m23.sum(dims: [0]), shape: [3], [5, 7, 9] as [Float])
        assertClose(try m23.sum(dims: [1]), shape: [2], [6, 15] as [Float])
        assertClose(try m23.sum(dims: [-1], keepDim: true), shape: [2, 1], [6, 15] as [Float])
        assertClose(try m23.sum(dims: [0, 1], keepDim: true), shape: [1, 1], [21] as [Float])
        assertClose(try m23.sum(keepDim: true), shape: [1, 1], [21] as [Float])
        assertClose(try m23.mean(), shape: [], [3.5] as [Float])
        assertClose(try m23.mean(dims: [0]), shape: [3], [2.5, 3.5, 4.5] as [Float])
        assertClose(try m23.mean(dims: [1], keepDim: true), shape: [2, 1], [2, 5] as [Float])
        assertClose(try Tensor(4).sum(), shape: [], [4] as [Float])
        // Sum of an empty tensor is 0; mean is NaN (as PyTorch).
        assertClose(try Tensor.zeros([0, 3]).sum(dims: [0]), shape: [3], [0, 0, 0] as [Float])
        XCTAssertTrue(try Tensor.zeros([0]).mean().item().isNaN)
    }

    func testAmaxMaxHandComputed() throws {
        let x = tensor([2, 3], [1, 5, 3, 4, 2, 6])
        assertClose(try x.amax(), shape: [], [6] as [Float])
        assertClose(try x.amax(dims: [0]), shape: [3], [4, 5, 6] as [Float])
        assertClose(try x.amax(dims: [1], keepDim: true), shape: [2, 1], [5, 6] as [Float])
        let (values, indices) = try x.max(dim: 1)
        assertClose(values, shape: [2], [5, 6] as [Float])
        XCTAssertEqual(indices, [1, 2])
        let (v0, i0) = try x.max(dim: 0, keepDim: true)
        assertClose(v0, shape: [1, 3], [4, 5, 6] as [Float])
        XCTAssertEqual(i0, [1, 0, 1])
        XCTAssertEqual(try x.argmax(), [5])
        XCTAssertEqual(try x.argmax(dim: 1), [1, 2])
        // Negative values: the initial value must not leak in.
        assertClose(try tensor([3], [-3, -1, -2]).amax(), shape: [], [-1] as [Float])
        assertClose(try tensor([3], [-3, -1, -2]).max(dim: 0).values, shape: [], [-1] as [Float])
    }

    func testAmaxOverNonEmptyDimOfEmptyTensor() throws {
        // Like torch.amax: only reducing over a zero-size dimension is an error;
        // [0, 3] reduced over its size-3 dim is simply an empty [0] result.
        XCTAssertEqual(try Tensor.zeros([0, 3]).amax(dims: [1]).shape, [0])
        XCTAssertEqual(try Tensor.zeros([0, 3]).max(dim: 1).values.shape, [0])
        XCTAssertEqual(try Tensor.zeros([0, 3]).sum(dims: [1]).shape, [0])
    }

    func testAmaxTiesShareGradient() throws {
        // torch.amax distributes the gradient evenly among tied maxima.
        let x = try Tensor(shape: [2, 3], scalars: [1, 3, 3, 2, 2, 2], requiresGrad: true)
        try x.amax(dims: [1]).backward(tensor([2], [1, 3]))
        assertClose(x.grad, shape: [2, 3], [0, 0.5, 0.5, 1, 1, 1] as [Float])
        // max(dim:) sends the gradient to the one index it reports.
        let y = try Tensor(shape: [3], scalars: [1, 4, 2], requiresGrad: true)
        try y.max(dim: 0).values.backward()
        assertClose(y.grad, shape: [3], [0, 1, 0] as [Float])
    }

    func testReductionsAgainstNaive() throws {
        for (i, shape) in [[2, 3, 4], [1, 7, 1], [17, 7], [7, 1, 17], [17], [3, 1, 2, 5]].enumerated() {
            let x = distinctTensor(shape, seed: UInt64(60 + i), requiresGrad: false)
            var dimSets: [[Int]?] = [nil]
            for d in 0..<shape.count { dimSets.append([d]); dimSets.append([d - shape.count]) }
            if shape.count >= 2 { dimSets.append([0, shape.count - 1]) }
            if shape.count >= 3 { dimSets.append([1, 2]) }
            for dims in dimSets {
                for keepDim in [false, true] {
                    let label = "\(shape) dims \(String(describing: dims)) keepDim \(keepDim)"
                    let s = Naive.reduce(x.scalars, shape, dims: dims, keepDim: keepDim, .sum)
                    assertClose(try x.sum(dims: dims, keepDim: keepDim), shape: s.shape, s.values, rtol: 1e-5, atol: 1e-5, "sum " + label)
                    let m = Naive.reduce(x.scalars, shape, dims: dims, keepDim: keepDim, .mean)
                    assertClose(try x.mean(dims: dims, keepDim: keepDim), shape: m.shape, m.values, rtol: 1e-5, atol: 1e-5, "mean " + label)
                    let a = Naive.reduce(x.scalars, shape, dims: dims, keepDim: keepDim, .max)
                    assertClose(try x.amax(dims: dims, keepDim: keepDim), shape: a.shape, a.values, "amax " + label)
                }
            }
            for d in 0..<shape.count {
                let a = Naive.reduce(x.scalars, shape, dims: [d], keepDim: false, .max)
                assertClose(try x.max(dim: d).values, shape: a.shape, a.values, "max dim \(d) of \(shape)")
            }
        }
    }

    func testReductionGradients() {
        let dimSets: [[Int]?] = [nil, [0], [1], [2], [-1], [0, 2], [0, 1, 2]]
        for (i, dims) in dimSets.enumerated() {
            for keepDim in [false, true] {
                let label = "dims \(String(describing: dims)) keepDim \(keepDim)"
                let x = randomTensor([2, 3, 4], seed: UInt64(70 + i))
                checkGradients([x], "sum " + label) { try $0[0].sum(dims: dims, keepDim: keepDim) }
                checkGradients([x], "mean " + label) { try $0[0].mean(dims: dims, keepDim: keepDim) }
                let d = distinctTensor([2, 3, 4], seed: UInt64(80 + i))
                checkGradients([d], "amax " + label) { try $0[0].amax(dims: dims, keepDim: keepDim) }
            }
        }
        for dim in [0, 1, 2, -1] {
            for keepDim in [false, true] {
                let d = distinctTensor([2, 3, 4], seed: UInt64(90 + dim + 1))
                checkGradients([d], "max dim \(dim) keepDim \(keepDim)") { try $0[0].max(dim: dim, keepDim: keepDim).values }
            }
        }
        checkGradients([distinctTensor([17, 7], seed: 95)], "amax 17x7 dim 0") { try $0[0].amax(dims: [0]) }
        checkGradients([randomTensor([7, 1, 17], seed: 96)], "mean 7x1x17 dims 0,2") { try $0[0].mean(dims: [0, 2]) }
        checkGradients([randomTensor([1], seed: 97)], "sum [1]") { try $0[0].sum() }
    }

    func testReductionErrors() {
        let x = randomTensor([2, 3, 4], seed: 1, requiresGrad: false)
        assertThrows(.outOfRange, try x.sum(dims: [3]))
        assertThrows(.outOfRange, try x.mean(dims: [-4]))
        assertThrows(.invalidArgument, try x.sum(dims: [0, 0]))
        assertThrows(.invalidArgument, try x.amax(dims: [1, -2]))
        assertThrows(.outOfRange, try x.max(dim: 3))
        assertThrows(.outOfRange, try x.amax(dims: [5]))
        // Reducing an empty tensor over everything, or over a zero-size dim, is an
        // error (PyTorch raises RuntimeError / IndexError; the kind is not pinned here).
        XCTAssertThrowsError(try Tensor.zeros([0, 3]).amax())
        XCTAssertThrowsError(try Tensor.zeros([3, 0]).amax(dims: [1]))
        assertThrows(.outOfRange, try Tensor.zeros([0, 3]).max(dim: 0))
    }
}

final class ShapeOpTests: XCTestCase {
    func testReshapeViewFlatten() throws {
        let x = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        assertClose(try x.reshape([3, 2]), shape: [3, 2], [1, 2, 3, 4, 5, 6] as [Float])
        assertClose(try x.reshape([-1]), shape: [6], [1, 2, 3, 4, 5, 6] as [Float])
        assertClose(try x.view([1, -1, 2]), shape: [1, 3, 2], [1, 2, 3, 4, 5, 6] as [Float])
        assertClose(try x.flatten(), shape: [6], [1, 2, 3, 4, 5, 6] as [Float])
        let y = try Tensor.zeros([2, 3, 4, 5])
        XCTAssertEqual(try y.flatten().shape, [120])
        XCTAssertEqual(try y.flatten(startDim: 1).shape, [2, 60])
        XCTAssertEqual(try y.flatten(startDim: 1, endDim: 2).shape, [2, 12, 5])
        XCTAssertEqual(try y.flatten(startDim: -2).shape, [2, 3, 20])
        XCTAssertEqual(try Tensor(3).flatten().shape, [1])
        // reshape is a view: it shares storage with its input.
        let v = try x.reshape([6])
        v.data[0] = 42
        XCTAssertEqual(x.scalars[0], 42)
    }

    func testUnsqueezeSqueeze() throws {
        let x = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try x.unsqueeze(0).shape, [1, 2, 3])
        XCTAssertEqual(try x.unsqueeze(1).shape, [2, 1, 3])
        XCTAssertEqual(try x.unsqueeze(2).shape, [2, 3, 1])
        XCTAssertEqual(try x.unsqueeze(-1).shape, [2, 3, 1])
        XCTAssertEqual(try x.unsqueeze(-3).shape, [1, 2, 3])
        let z = try Tensor.zeros([1, 3, 1])
        XCTAssertEqual(try z.squeeze(0).shape, [3, 1])
        XCTAssertEqual(try z.squeeze(-1).shape, [1, 3])
        XCTAssertEqual(try z.squeeze(1).shape, [1, 3, 1], "squeezing a non-1 dim is a no-op")
        XCTAssertEqual(try Tensor(1).unsqueeze(0).shape, [1])
        assertClose(try x.unsqueeze(1), shape: [2, 1, 3], [1, 2, 3, 4, 5, 6] as [Float])
    }

    func testPermuteTransposeHandComputed() throws {
        let x = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        assertClose(try x.transpose(0, 1), shape: [3, 2], [1, 4, 2, 5, 3, 6] as [Float])
        assertClose(try x.permute([1, 0]), shape: [3, 2], [1, 4, 2, 5, 3, 6] as [Float])
        assertClose(try x.transpose(-1, -2), shape: [3, 2], [1, 4, 2, 5, 3, 6] as [Float])
        let y = tensor([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7])
        // out[i][j][k] = y[j][k][i]
        assertClose(try y.permute([2, 0, 1]), shape: [2, 2, 2], [0, 2, 4, 6, 1, 3, 5, 7] as [Float])
        assertClose(try y.transpose(0, 2), shape: [2, 2, 2], [0, 4, 2, 6, 1, 5, 3, 7] as [Float])
        // permute copies: writing the result leaves the input alone.
        let p = try x.permute([1, 0])
        p.data[1] = 99
        XCTAssertEqual(x.scalars, [1, 2, 3, 4, 5, 6])
    }

    func testPermuteAgainstNaive() throws {
        let cases: [([Int], [Int])] = [
            ([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [1, 2, 0]), ([2, 3, 4], [0, 2, 1]), ([7, 17], [1, 0]),
            ([1, 7, 1, 17], [3, 1, 0, 2]), ([3, 1, 2, 5], [-1, 0, -2, 1]), ([17, 1, 7], [2, 1, 0]),
        ]
        for (i, (shape, order)) in cases.enumerated() {
            let x = randomTensor(shape, seed: UInt64(110 + i), requiresGrad: false)
            let wrapped = order.map { $0 < 0 ? $0 + shape.count : $0 }
            let ref = Naive.permute(x.scalars, shape, wrapped)
            assertClose(try x.permute(order), shape: ref.shape, ref.values, "\(shape) permute \(order)")
        }
    }

    func testShapeOpGradients() {
        let x = randomTensor([2, 3, 4], seed: 120)
        checkGradients([x], "reshape") { try $0[0].reshape([6, 4]) }
        checkGradients([x], "reshape -1") { try $0[0].reshape([-1, 2]) }
        checkGradients([x], "view") { try $0[0].view([4, 6]) }
        checkGradients([x], "flatten") { try $0[0].flatten() }
        checkGradients([x], "flatten 1") { try $0[0].flatten(startDim: 1) }
        checkGradients([x], "unsqueeze 0") { try $0[0].unsqueeze(0) }
        checkGradients([x], "unsqueeze -1") { try $0[0].unsqueeze(-1) }
        checkGradients([randomTensor([2, 1, 4], seed: 121)], "squeeze 1") { try $0[0].squeeze(1) }
        checkGradients([x], "permute 2,0,1") { try $0[0].permute([2, 0, 1]) }
        checkGradients([x], "permute 1,2,0") { try $0[0].permute([1, 2, 0]) }
        checkGradients([x], "transpose 0,2") { try $0[0].transpose(0, 2) }
        checkGradients([x], "transpose -1,-2") { try $0[0].transpose(-1, -2) }
        // Chains: a view of a permuted tensor, and an op applied after a view.
        checkGradients([x], "permute then reshape") { try $0[0].permute([2, 1, 0]).reshape([4, 6]) }
        checkGradients([x], "reshape then mul") { x in try x[0].reshape([6, 4]) * x[0].reshape([6, 4]) }
    }

    func testShapeOpErrors() {
        let x = randomTensor([2, 3], seed: 1, requiresGrad: false)
        assertThrows(.invalidArgument, try x.reshape([5]))
        assertThrows(.invalidArgument, try x.reshape([-1, -1]))
        assertThrows(.invalidArgument, try x.reshape([4, -1]))
        assertThrows(.invalidArgument, try x.reshape([-2, 3]))
        assertThrows(.invalidArgument, try x.view([7]))
        assertThrows(.invalidArgument, try x.permute([0]))
        assertThrows(.invalidArgument, try x.permute([0, 0]))
        assertThrows(.outOfRange, try x.permute([0, 2]))
        assertThrows(.outOfRange, try x.transpose(0, 2))
        assertThrows(.outOfRange, try x.unsqueeze(3))
        assertThrows(.outOfRange, try x.unsqueeze(-4))
        assertThrows(.outOfRange, try x.squeeze(2))
        assertThrows(.invalidArgument, try x.flatten(startDim: 1, endDim: 0))
        assertThrows(.outOfRange, try x.flatten(startDim: 2))
    }
}
