import XCTest
@testable import SwiftNN
import SwiftNNKernels

/// A right-hand GEMM operand packed once (`PackedRightMatrix`) against a Double product on
/// every ISA path, and an eval-mode Linear's packed weight: same output as the plain op,
/// used only where it applies, and repacked after every kind of change to the weight.
final class PackedWeightTests: XCTestCase {
    /// Row counts past one MC block (168) and across the thread split, depths past one KC
    /// slice (256), partial column panels, W stored as [N × K] (a Linear's) and as [K × N],
    /// bias, beta 0 over NaN and beta 1, leading dimensions wider than the matrices.
    func testPackedRightMatrixEveryPathAgainstNaive() {
        let loaded = KernelISA.active
        defer { KernelISA.select(loaded) }
        for isa in KernelISA.supported {
            KernelISA.select(isa)
            for (m, n, k) in [(5, 1, 1), (7, 17, 3), (17, 63, 300), (200, 33, 600), (130, 160, 64), (64, 10, 513)] {
                for transposed in [true, false] {
                    var rng = SplitMix(seed: UInt64(m * 1000 + n * 10 + k))
                    let lda = k + 2, ldb = (transposed ? k : n) + 5, ldc = n + 3
                    let a = (0..<(m * lda)).map { _ in rng.uniform() }
                    let b = (0..<((transposed ? n : k) * ldb)).map { _ in rng.uniform() }
                    let bias = (0..<n).map { _ in rng.uniform() }
                    let packed = PackedRightMatrix(b, transposed: transposed, depth: k, columns: n, ldb: ldb)!
                    XCTAssertEqual(PackedRightMatrix.suits(rows: m, depth: k, columns: n), m * n * k > 256)
                    for beta in [Float(0), 1] {
                        var c = [Float](repeating: beta == 0 ? .nan : 0.5, count: m * ldc)
                        packed.multiply(a, lda: lda, rows: m, beta: beta, bias: beta == 0 ? bias : nil, into: &c, ldc: ldc)
                        for i in 0..<m {
                            for j in 0..<n {
                                var sum = beta == 0 ? Double(bias[j]) : 0.5
                                for p in 0..<k {
                                    sum += Double(a[i * lda + p]) * Double(transposed ? b[j * ldb + p] : b[p * ldb + j])
                                }
                                XCTAssertEqual(Double(c[i * ldc + j]), sum, accuracy: 1e-5 * Double(k) + 1e-5,
                                               "\(isa) \(m)×\(n)×\(k) transposed \(transposed) beta \(beta) at (\(i), \(j))")
                            }
                            for j in n..<ldc {
                                XCTAssertTrue(beta == 0 ? c[i * ldc + j].isNaN : c[i * ldc + j] == 0.5,
                                              "\(isa): wrote past column \(n)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The shared-B threading (a requested thread count) reads the packed panels too.
    /// The ReLU applied by the tile as it writes (after the bias, NaN kept), on every ISA path,
    /// over depths past one slice, and with no depth at all (the bias alone, clamped).
    func testPackedRightMatrixReLU() {
        let loaded = KernelISA.active
        defer { KernelISA.select(loaded) }
        for isa in KernelISA.supported {
            KernelISA.select(isa)
            for (m, n, k) in [(5, 1, 60), (13, 33, 300), (30, 17, 0)] {
                var rng = SplitMix(seed: UInt64(m * 1000 + n * 10 + k))
                var a = (0..<(m * max(k, 1))).map { _ in rng.uniform() * 2 - 1 }
                if k > 0 { a[k + 1] = .nan }  // row 1
                let b = (0..<(n * k)).map { _ in rng.uniform() * 2 - 1 }
                let bias = (0..<n).map { _ in rng.uniform() - 0.5 }
                let packed = PackedRightMatrix(b, transposed: true, depth: k, columns: n, ldb: max(k, 1))!
                var c = [Float](repeating: .nan, count: m * n)
                packed.multiply(a, lda: max(k, 1), rows: m, beta: 0, bias: bias, into: &c, ldc: n, relu: true)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(bias[j])
                        for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[j * k + p]) }
                        if sum.isNaN {
                            XCTAssertTrue(c[i * n + j].isNaN, "\(isa) \(m)×\(n)×\(k): ReLU keeps NaN at (\(i), \(j))")
                        } else {
                            XCTAssertEqual(Double(c[i * n + j]), max(sum, 0), accuracy: 2e-6 * Double(k) + 1e-6,
                                           "\(isa) \(m)×\(n)×\(k) at (\(i), \(j))")
                        }
                    }
                }
            }
        }
    }

    func testPrePackedBOnTheSharedPath() {
        let (m, n, k) = (97, 40, 300)
        var rng = SplitMix(seed: 77)
        let a = (0..<(m * k)).map { _ in rng.uniform() }, b = (0..<(k * n)).map { _ in rng.uniform() }
        let packed = PackedRightMatrix(b, transposed: false, depth: k, columns: n, ldb: n)!
        var expected = [Float](repeating: 0, count: m * n)
        GEMM.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                   beta: 0, c: &expected, ldc: n)
        for threads in [1, 2, 3] {
            var c = [Float](repeating: .nan, count: m * n)
            packed.multiply(a, lda: k, rows: m, beta: 0, bias: nil, into: &c, ldc: n, threads: threads)
            for i in 0..<(m * n) { XCTAssertEqual(c[i], expected[i], accuracy: 1e-4, "threads \(threads) at \(i)") }
        }
    }

    private func linear(_ inFeatures: Int, _ outFeatures: Int, seed: UInt64) throws -> Linear {
        let layer = try Linear(inFeatures, outFeatures)
        try withNoGrad {
            _ = try layer.weight.copiedInPlace(from: randomTensor(layer.weight.shape, seed: seed, requiresGrad: false))
        }
        return layer
    }

    /// x·Wᵀ + b of the plain op, recomputed from the layer's current tensors.
    private func reference(_ layer: Linear, _ x: Tensor) throws -> [Float] {
        try withNoGrad { try x.linear(weight: layer.weight, bias: layer.bias).scalars }
    }

    private func assertClose(_ got: [Float], _ expected: [Float], _ message: String, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, message, line: line)
        for i in 0..<min(got.count, expected.count) {
            XCTAssertEqual(got[i], expected[i], accuracy: 1e-4 * max(1, abs(expected[i])), "\(message) at \(i)", line: line)
        }
    }

    func testEvalLinearPacksItsWeightOnceAndMatchesTheOp() throws {
        let layer = try linear(300, 37, seed: 5)
        let x = randomTensor([3, 11, 300], seed: 6, requiresGrad: false)  // 33 rows over two leading dims
        layer.eval()
        let first = try withNoGrad { try layer(x) }
        let packed = try XCTUnwrap(layer.packedWeight, "eval + no_grad should pack the weight")
        XCTAssertEqual(first.shape, [3, 11, 37])
        assertClose(first.scalars, try reference(layer, x), "packed")
        _ = try withNoGrad { try layer(x) }
        XCTAssertTrue(layer.packedWeight === packed, "an unchanged weight is packed once")
    }

    func testPackedWeightIsNotUsedWhereItDoesNotApply() throws {
        let layer = try linear(64, 16, seed: 7)
        let x = randomTensor([8, 64], seed: 8, requiresGrad: false)
        _ = try withNoGrad { try layer(x) }
        XCTAssertNil(layer.packedWeight, "training mode")
        layer.eval()
        let recorded = try layer(x)
        XCTAssertNil(layer.packedWeight, "autograd records the weight's gradient")
        try recorded.sum().backward()
        XCTAssertNotNil(layer.weight.grad)
        _ = try withNoGrad { try layer(randomTensor([4, 64], seed: 9, requiresGrad: false)) }
        XCTAssertNil(layer.packedWeight, "four rows run the row-dot kernel on W as it is")
        XCTAssertThrowsError(try withNoGrad { try layer(randomTensor([8, 63], seed: 10, requiresGrad: false)) }) {
            XCTAssertTrue("\($0)".contains("in_features = 64"), "the op's own message: \($0)")
        }
        _ = try withNoGrad { try layer(x) }
        XCTAssertNotNil(layer.packedWeight)
        layer.train()
        _ = try withNoGrad { try layer(x) }
        XCTAssertNil(layer.packedWeight, "training mode drops the packed copy")
    }

    func testPackedWeightFollowsEveryChange() throws {
        let x = randomTensor([9, 40], seed: 11, requiresGrad: false)
        let changes: [(String, (Linear) throws -> Void)] = [
            ("written in place", { layer in
                try withNoGrad { _ = try layer.weight.copiedInPlace(from: randomTensor([13, 40], seed: 12, requiresGrad: false)) }
            }),
            ("replaced", { layer in
                try layer.replaceParameter("weight", with: randomTensor([13, 40], seed: 13, requiresGrad: true))
            }),
            ("optimizer step", { layer in
                layer.train()
                try layer(x).sum().backward()
                try SGD(parameters: layer.parameters(), lr: 0.5).step()
                layer.eval()
            }),
        ]
        for (name, change) in changes {
            let layer = try linear(40, 13, seed: 14)
            layer.eval()
            let before = try withNoGrad { try layer(x) }.scalars
            XCTAssertNotNil(layer.packedWeight)
            try change(layer)
            let expected = try reference(layer, x)
            XCTAssertFalse(zip(before, expected).allSatisfy { abs($0 - $1) < 1e-3 }, "\(name) should change the output")
            assertClose(try withNoGrad { try layer(x) }.scalars, expected, name)
        }
    }
}
