import XCTest
@testable import SwiftNN

/// SplitKGEMM against a double-precision triple loop: every transpose combination,
/// awkward sizes, padded leading dimensions, and more slices than threads.
final class SplitKGEMMTests: XCTestCase {
    private func naive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                       a: [Float], lda: Int, b: [Float], ldb: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum += Double(transA ? a[p * lda + i] : a[i * lda + p]) * Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    func testMatchesNaiveProduct() {
        var rng = TestRNG(7)
        for (transA, transB) in [(true, false), (false, false), (false, true), (true, true)] {
            for (m, n, k) in [(1, 1, 1), (7, 17, 100), (17, 7, 257), (1, 9, 63), (13, 1, 31), (6, 16, 8)] {
                for slices in [1, 2, 3, 7] {
                    let pad = 3
                    let aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n
                    let lda = aCols + pad, ldb = bCols + pad
                    let a = (0..<(aRows * lda)).map { _ in rng.uniform(-1, 1) }
                    let b = (0..<(bRows * ldb)).map { _ in rng.uniform(-1, 1) }
                    var c = [Float](repeating: .nan, count: m * n)
                    SplitKGEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                     c: &c, slices: slices)
                    let expected = naive(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb)
                    assertClose(c, expected, rtol: 1e-5, atol: 1e-5 * Double(k).squareRoot(),
                                "tA=\(transA) tB=\(transB) m=\(m) n=\(n) k=\(k) slices=\(slices)")
                }
            }
        }
    }

    func testWorthwhileOnlyForDeepProductsWithSmallOutputs() {
        let threads = ThreadPool.shared.threadCount
        XCTAssertEqual(SplitKGEMM.isWorthwhile(m: 128, n: 512, k: 8192), threads > 1)
        XCTAssertFalse(SplitKGEMM.isWorthwhile(m: 8192, n: 512, k: 128))
        XCTAssertFalse(SplitKGEMM.isWorthwhile(m: 4, n: 4, k: 64))
    }

    /// Linear's weight gradient takes the split path at this size; it must equal Gᵀ·X.
    func testLinearWeightGradientThroughSplitPath() throws {
        let (rows, inF, outF) = (4211, 33, 31)
        XCTAssertEqual(SplitKGEMM.isWorthwhile(m: outF, n: inF, k: rows), ThreadPool.shared.threadCount > 1)
        let x = randomTensor([rows, inF], seed: 3, requiresGrad: false)
        let w = randomTensor([outF, inF], seed: 4)
        let g = randomTensor([rows, outF], seed: 5, requiresGrad: false)
        try x.linear(weight: w, bias: nil).backward(g)
        let (xs, gs) = (x.scalars, g.scalars)
        var expected = [Double](repeating: 0, count: outF * inF)
        for r in 0..<rows { for o in 0..<outF { for i in 0..<inF { expected[o * inF + i] += Double(gs[r * outF + o]) * Double(xs[r * inF + i]) } } }
        assertClose(w.grad, shape: [outF, inF], expected, rtol: 1e-4, atol: 1e-4)
    }

    /// alpha, beta and a padded C: slice 0 applies beta to C, the others only add.
    func testAlphaBetaAndPaddedC() {
        var rng = TestRNG(9)
        let (m, n, k, ldc) = (7, 17, 300, 20)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }, b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let c0 = (0..<(m * ldc)).map { _ in rng.uniform(-1, 1) }
        let product = naive(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n)
        for slices in [1, 3] {
            var c = c0
            SplitKGEMM.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 0.5, a: a, lda: k, b: b, ldb: n,
                             beta: 2, c: &c, ldc: ldc, slices: slices)
            for i in 0..<m {
                for j in 0..<ldc {
                    let expected = j < n ? 0.5 * product[i * n + j] + 2 * Double(c0[i * ldc + j]) : Double(c0[i * ldc + j])
                    XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-4, "slices=\(slices) (\(i), \(j))")
                }
            }
        }
    }
}
