import XCTest
import SwiftNNMicroKernels
@testable import SwiftNN

/// swiftnn_gemm_strided and swiftnn_gemm_row_dot at the C level, every path the CPU runs: A as packed panels,
/// row-major in place and transposed in place (each exactly m rows long, so reading
/// a row past the last would be caught by the address sanitizer), with and without a
/// bias, against a Double product.
final class StridedGEMMTests: XCTestCase {
    private enum Layout: CaseIterable { case packed, rowMajor, transposed }

    func testEveryLayoutEveryPathAgainstNaive() {
        var rng = SplitMix(seed: 11)
        let shapes = [(1, 1, 1), (5, 17, 3), (7, 16, 129), (11, 33, 2), (12, 15, 64), (13, 40, 300), (25, 1, 7)]
        forEachSupportedISA { isa in
            for (m, n, k) in shapes {
                let logical = (0..<(m * k)).map { _ in rng.uniform() }  // op(A)[i][p] at i·k + p
                let panelsB = (n + 15) / 16
                var b = [Float](repeating: 0, count: panelsB * 16 * k)
                for j in 0..<n { for p in 0..<k { b[(j / 16) * 16 * k + p * 16 + j % 16] = rng.uniform() } }
                let bias = (0..<n).map { _ in rng.uniform() }
                for layout in Layout.allCases {
                    let (a, strides) = lay(logical, m: m, k: k, as: layout)
                    for (alpha, beta, withBias) in [(Float(1), Float(0), true), (0.5, 2, false), (-1, 1, true)] {
                        let ldc = n + 2
                        var c = [Float](repeating: beta == 0 ? .nan : 1, count: m * ldc)
                        bias.withUnsafeBufferPointer { pbias in
                            swiftnn_gemm_strided(a, strides.row, strides.depth, strides.panel, b, m, n, k, &c, ldc,
                                                 alpha, beta, withBias ? pbias.baseAddress : nil, nil)
                        }
                        for i in 0..<m {
                            for j in 0..<n {
                                var sum = 0.0
                                for p in 0..<k { sum += Double(logical[i * k + p]) * Double(b[(j / 16) * 16 * k + p * 16 + j % 16]) }
                                let expected = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta))
                                    + (withBias ? Double(bias[j]) : 0)
                                XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-5 * Double(k) + 1e-6,
                                               "\(isa) \(layout) \(m)×\(n)×\(k) at (\(i), \(j))")
                            }
                            for j in n..<ldc {
                                XCTAssertTrue(beta == 0 ? c[i * ldc + j].isNaN : c[i * ldc + j] == 1,
                                              "\(isa) \(layout): wrote past column \(n)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// op(A) (m×k, row-major in `logical`) stored in `layout`, with the strides that address it.
    private func lay(_ logical: [Float], m: Int, k: Int, as layout: Layout) -> ([Float], (row: Int, depth: Int, panel: Int)) {
        switch layout {
        case .packed:
            // Six-row panels, zero rows past m, as the packer leaves them.
            var a = [Float](repeating: 0, count: (m + 5) / 6 * 6 * k)
            for i in 0..<m { for p in 0..<k { a[(i / 6) * 6 * k + p * 6 + i % 6] = logical[i * k + p] } }
            return (a, (1, 6, 6 * k))
        case .rowMajor:
            let lda = k + 3
            var a = [Float](repeating: .nan, count: (m - 1) * lda + k)
            for i in 0..<m { for p in 0..<k { a[i * lda + p] = logical[i * k + p] } }
            return (a, (lda, 1, 6 * lda))
        case .transposed:
            let lda = m + 1
            var a = [Float](repeating: .nan, count: (k - 1) * lda + m)
            for i in 0..<m { for p in 0..<k { a[p * lda + i] = logical[i * k + p] } }
            return (a, (1, lda, 6))
        }
    }

    /// swiftnn_gemm_row_dot (batch-1 Linear layers) on every path: 1…4 rows, depths around
    /// the two-vector step, padded rows, alpha/beta, bias, NaN in C when beta is 0.
    func testRowDotEveryPathAgainstNaive() {
        var rng = SplitMix(seed: 13)
        forEachSupportedISA { isa in
            for m in 1...4 {
                for k in [1, 7, 16, 33, 65, 300] {
                    let n = 19, lda = k + 2, ldb = k + 1, ldc = n + 1
                    let a = (0..<(m * lda)).map { _ in rng.uniform() }, b = (0..<(n * ldb)).map { _ in rng.uniform() }
                    let bias = (0..<n).map { _ in rng.uniform() }
                    for (alpha, beta, withBias) in [(Float(1), Float(0), false), (0.5, 2, true)] {
                        var c = [Float](repeating: beta == 0 ? .nan : 1, count: m * ldc)
                        bias.withUnsafeBufferPointer { pbias in
                            swiftnn_gemm_row_dot(a, lda, m, b, ldb, n, k, &c, ldc, alpha, beta,
                                                 withBias ? pbias.baseAddress : nil)
                        }
                        for i in 0..<m {
                            for j in 0..<n {
                                var dot = 0.0
                                for p in 0..<k { dot += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                                let expected = Double(alpha) * dot + (beta == 0 ? 0 : Double(beta)) + (withBias ? Double(bias[j]) : 0)
                                XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-5 * Double(k) + 1e-6,
                                               "\(isa) m=\(m) k=\(k) at (\(i), \(j))")
                            }
                            XCTAssertTrue(beta == 0 ? c[i * ldc + n].isNaN : c[i * ldc + n] == 1, "\(isa): wrote past column \(n)")
                        }
                    }
                }
            }
        }
    }
}
