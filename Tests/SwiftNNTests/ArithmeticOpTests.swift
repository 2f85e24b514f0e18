import XCTest
@testable import SwiftNN

/// add, sub, mul, div, neg: forward values, broadcasting, gradients, errors.
final class ArithmeticOpTests: XCTestCase {
    // MARK: Forward

    func testForwardSameShape() throws {
        let a = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        let b = tensor([2, 3], [6, 5, 4, 3, 2, 1])
        assertClose(try a + b, shape: [2, 3], [7, 7, 7, 7, 7, 7] as [Float])
        assertClose(try a - b, shape: [2, 3], [-5, -3, -1, 1, 3, 5] as [Float])
        assertClose(try a * b, shape: [2, 3], [6, 10, 12, 12, 10, 6] as [Float])
        assertClose(try a / b, shape: [2, 3], [1.0 / 6, 2.0 / 5, 3.0 / 4, 4.0 / 3, 5.0 / 2, 6] as [Double])
        assertClose(try -a, shape: [2, 3], [-1, -2, -3, -4, -5, -6] as [Float])
    }

    func testForwardBroadcastRow() throws {
        let a = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        let b = tensor([3], [10, 20, 30])
        assertClose(try a + b, shape: [2, 3], [11, 22, 33, 14, 25, 36] as [Float])
        assertClose(try b - a, shape: [2, 3], [9, 18, 27, 6, 15, 24] as [Float])
        assertClose(try a * b, shape: [2, 3], [10, 40, 90, 40, 100, 180] as [Float])
        assertClose(try b / a, shape: [2, 3], [10, 10, 10, 2.5, 4, 5] as [Float])
    }

    func testForwardBroadcastColumnAndBoth() throws {
        // [2,1] + [1,3] -> [2,3]
        let col = tensor([2, 1], [1, 2])
        let row = tensor([1, 3], [10, 20, 30])
        assertClose(try col + row, shape: [2, 3], [11, 21, 31, 12, 22, 32] as [Float])
        assertClose(try col * row, shape: [2, 3], [10, 20, 30, 20, 40, 60] as [Float])
        // [2,1,4] * [3,1] -> [2,3,4], against the naive reference
        let a = randomTensor([2, 1, 4], seed: 1, requiresGrad: false)
        let b = randomTensor([3, 1], seed: 2, requiresGrad: false)
        let ref = Naive.elementwise(a.scalars, a.shape, b.scalars, b.shape, *)
        assertClose(try a * b, shape: ref.shape, ref.values)
    }

    func testForwardScalars() throws {
        let a = tensor([3], [1, 2, 4])
        assertClose(try a + 2, shape: [3], [3, 4, 6] as [Float])
        assertClose(try a - 2, shape: [3], [-1, 0, 2] as [Float])
        assertClose(try 2 - a, shape: [3], [1, 0, -2] as [Float])
        assertClose(try a * 3, shape: [3], [3, 6, 12] as [Float])
        assertClose(try 3 * a, shape: [3], [3, 6, 12] as [Float])
        assertClose(try a / 2, shape: [3], [0.5, 1, 2] as [Float])
        assertClose(try 1 / a, shape: [3], [1, 0.5, 0.25] as [Float])
        // 0-d with 0-d stays 0-d
        let s = try Tensor(2) * Tensor(3)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(try s.item(), 6)
        // 0-d tensor against a matrix
        assertClose(try Tensor(10) - tensor([2, 2], [1, 2, 3, 4]), shape: [2, 2], [9, 8, 7, 6] as [Float])
    }

    func testForwardIEEE() throws {
        let a = tensor([3], [1, -1, 0])
        let q = try a / tensor([3], [0, 0, 0])
        XCTAssertEqual(q.scalars[0], .infinity)
        XCTAssertEqual(q.scalars[1], -.infinity)
        XCTAssertTrue(q.scalars[2].isNaN)
    }

    func testForwardAwkwardSizes() throws {
        let shapes: [([Int], [Int])] = [
            ([1], [1]), ([7], [1]), ([1], [7]), ([17], [17]), ([17, 1], [1, 7]), ([7, 17], [17]),
            ([1, 7, 1], [17, 1, 7]), ([2, 1, 17], [7, 1]), ([17, 7], [17, 1]), ([3, 1, 5, 1], [1, 4, 1, 6]),
        ]
        for (i, (sa, sb)) in shapes.enumerated() {
            let a = randomTensor(sa, seed: UInt64(10 + i), requiresGrad: false)
            let b = randomTensor(sb, seed: UInt64(100 + i), low: 0.5, high: 2, requiresGrad: false)
            for (name, f, g) in [("+", { try $0 + $1 }, { $0 + $1 }), ("-", { try $0 - $1 }, { $0 - $1 }),
                                 ("*", { try $0 * $1 }, { $0 * $1 }), ("/", { try $0 / $1 }, { $0 / $1 })]
                as [(String, (Tensor, Tensor) throws -> Tensor, (Double, Double) -> Double)] {
                let ref = Naive.elementwise(a.scalars, sa, b.scalars, sb, g)
                assertClose(try f(a, b), shape: ref.shape, ref.values, "\(sa) \(name) \(sb)")
                let rev = Naive.elementwise(b.scalars, sb, a.scalars, sa, g)
                assertClose(try f(b, a), shape: rev.shape, rev.values, "\(sb) \(name) \(sa)")
            }
        }
    }

    // MARK: Gradients

    /// Shape pairs covering same shape, both broadcasting directions and 0-d scalars.
    private let shapePairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 1, 4], [3, 1]), ([3, 1], [2, 1, 4]),
        ([2, 3], []), ([], [2, 3]), ([1, 3], [2, 1]), ([7], [7]), ([17], [1]),
    ]

    private func checkBinary(_ name: String, denominatorAwayFromZero: Bool = false,
                             _ f: @escaping (Tensor, Tensor) throws -> Tensor, line: UInt = #line) {
        for (i, (sa, sb)) in shapePairs.enumerated() {
            let a = randomTensor(sa, seed: UInt64(2 * i + 1))
            let b = denominatorAwayFromZero
                ? randomTensor(sb, seed: UInt64(2 * i + 2), low: -2, high: 2, awayFromZero: 0.5)
                : randomTensor(sb, seed: UInt64(2 * i + 2))
            checkGradients([a, b], "\(sa) \(name) \(sb)", line: line) { try f($0[0], $0[1]) }
        }
    }

    func testAddGradient() { checkBinary("+") { try $0 + $1 } }
    func testSubGradient() { checkBinary("-") { try $0 - $1 } }
    func testMulGradient() { checkBinary("*") { try $0 * $1 } }
    func testDivGradient() { checkBinary("/", denominatorAwayFromZero: true) { try $0 / $1 } }

    func testNegGradient() {
        checkGradients([randomTensor([2, 3], seed: 5)], "neg") { try $0[0].negated() }
        checkGradients([randomTensor([], seed: 6)], "neg 0-d") { try -$0[0] }
    }

    func testFloatScalarGradients() {
        let x = randomTensor([2, 3], seed: 7, low: -2, high: 2, awayFromZero: 0.5)
        checkGradients([x], "x + 1.5") { try $0[0] + 1.5 }
        checkGradients([x], "1.5 - x") { try 1.5 - $0[0] }
        checkGradients([x], "x * -2.5") { try $0[0] * -2.5 }
        checkGradients([x], "x / 4") { try $0[0] / 4 }
        checkGradients([x], "3 / x") { try 3 / $0[0] }
    }

    func testOnlyOneSideRequiresGrad() {
        let a = randomTensor([2, 3], seed: 8)
        let b = randomTensor([3], seed: 9, low: -2, high: 2, awayFromZero: 0.5, requiresGrad: false)
        checkGradients([a, b], "a*b, b const") { try $0[0] * $0[1] }
        checkGradients([b, a], "b/a... a const") { try $0[1] / $0[0] }
        checkGradients([a, b], "a-b, b const") { try $0[0] - $0[1] }
        let c = randomTensor([2, 3], seed: 10, requiresGrad: false)
        let d = randomTensor([3], seed: 11, low: -2, high: 2, awayFromZero: 0.5)
        checkGradients([c, d], "c/d, c const") { try $0[0] / $0[1] }
        checkGradients([c, d], "c-d, c const") { try $0[0] - $0[1] }
    }

    func testSameTensorOnBothSides() throws {
        let x = randomTensor([4], seed: 12, low: -2, high: 2, awayFromZero: 0.5)
        checkGradients([x], "x*x") { try $0[0] * $0[0] }
        checkGradients([x], "x+x") { try $0[0] + $0[0] }
        checkGradients([x], "x-x") { try $0[0] - $0[0] }
        checkGradients([x], "x/x") { try $0[0] / $0[0] }
        // Exact values: d(x*x)/dx = 2x, d(x-x)/dx = 0.
        try x.setGrad(nil)
        try (x * x).sum().backward()
        assertClose(x.grad, shape: [4], x.scalars.map { 2 * Double($0) })
        try x.setGrad(nil)
        try (x - x).sum().backward()
        assertClose(x.grad, shape: [4], [0, 0, 0, 0] as [Float])
    }

    func testBroadcastGradientExactValues() throws {
        // d/d b of Σ (a + b) with a [2,3], b [3] is 2 per element of b.
        let a = try Tensor.ones([2, 3], requiresGrad: true)
        let b = try Tensor.zeros([3], requiresGrad: true)
        try (a + b).sum().backward()
        assertClose(b.grad, shape: [3], [2, 2, 2] as [Float])
        assertClose(a.grad, shape: [2, 3], [1, 1, 1, 1, 1, 1] as [Float])
        // Scalar tensor broadcast over 6 elements: gradient 6·(value of other side) for mul.
        let s = try Tensor(shape: [], scalars: [3], requiresGrad: true)
        let m = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        try (s * m).sum().backward()
        assertClose(s.grad, shape: [], [21] as [Float])
    }

    // MARK: Errors

    func testIncompatibleShapesThrow() {
        assertThrows(.invalidArgument, contains: "broadcast", try tensor([2, 3], [1, 2, 3, 4, 5, 6]) + tensor([2], [1, 2]))
        assertThrows(.invalidArgument, try tensor([2, 3], [1, 2, 3, 4, 5, 6]) * tensor([3, 2], [1, 2, 3, 4, 5, 6]))
        assertThrows(.invalidArgument, try tensor([4], [1, 2, 3, 4]) / tensor([3], [1, 2, 3]))
        assertThrows(.invalidArgument, try tensor([2, 3, 1], [1, 2, 3, 4, 5, 6]) - tensor([2, 2], [1, 2, 3, 4]))
    }

    func testConstructionErrors() {
        assertThrows(.invalidArgument, try Tensor(shape: [2, 3], scalars: [1, 2, 3]))
        assertThrows(.invalidArgument, try Tensor(shape: [-1, 3], scalars: []))
        assertThrows(.invalidArgument, try Tensor.zeros([2, -2]))
        assertThrows(.invalidArgument, try tensor([2], [1, 2]).item())
        XCTAssertEqual(try Tensor(shape: [0, 3], scalars: []).count, 0)
        XCTAssertEqual(try Tensor(shape: [], scalars: [4]).item(), 4)
    }
}

/// Tensor factories: zeros/ones/full, arange, rand/randn/randint under manualSeed.
final class CreationTests: XCTestCase {
    func testFilledTensors() throws {
        XCTAssertEqual(try Tensor.zeros([2, 3]).scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(try Tensor.ones([4]).scalars, [1, 1, 1, 1])
        XCTAssertEqual(try Tensor.full([2, 2], value: 2.5).scalars, [2.5, 2.5, 2.5, 2.5])
        XCTAssertEqual(try Tensor.full([], value: 3).shape, [])
        XCTAssertTrue(try Tensor.zeros([2], requiresGrad: true).requiresGrad)
        XCTAssertEqual(try Tensor.zeros([0, 5]).count, 0)
        XCTAssertEqual(Tensor(7).shape, [])
        XCTAssertEqual(try Tensor(7).item(), 7)
    }

    func testArange() throws {
        XCTAssertEqual(try Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(5, 0, step: -2).scalars, [5, 3, 1])
        XCTAssertEqual(try Tensor.arange(0, 1, step: 0.1).count, 10)
        XCTAssertEqual(try Tensor.arange(3, 3).count, 0)
        assertThrows(.invalidArgument, try Tensor.arange(0, 5, step: 0))
        assertThrows(.invalidArgument, try Tensor.arange(0, 5, step: -1))
        assertThrows(.invalidArgument, try Tensor.arange(0, .infinity))
    }

    func testRandomTensorsAreSeededAndDistributed() throws {
        manualSeed(77)
        let a = try Tensor.rand([2000])
        manualSeed(77)
        XCTAssertEqual(try Tensor.rand([2000]).scalars, a.scalars)
        XCTAssertTrue(a.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(a.scalars.reduce(0, +) / 2000, 0.5, accuracy: 0.03)
        manualSeed(78)
        let n = try Tensor.randn([4000]).scalars.map(Double.init)
        let mean = n.reduce(0, +) / 4000
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4000
        XCTAssertEqual(mean, 0, accuracy: 0.06)
        XCTAssertEqual(variance, 1, accuracy: 0.08)
        XCTAssertEqual(try Tensor.randn([3, 3]).shape, [3, 3])
        let labels = try Tensor.randint(2, 5, [500])
        XCTAssertEqual(Set(labels), [2, 3, 4])
        assertThrows(.invalidArgument, try Tensor.randint(3, 3, [2]))
        assertThrows(.invalidArgument, try Tensor.randn([-1]))
    }
}
