import XCTest
import SwiftNNKernels
import SwiftNNMicroKernels

/// The kernels' last partial vector of a row (masked moves on AVX2 and AVX-512, a loop on
/// the baseline: pointwise, softmax, GEMM B packing, max pool) on every ISA path, at
/// lengths around each vector width: every input ends at the last float before an
/// inaccessible page and every output at the last float before another, so a lane read
/// or written past a row crashes the test.
final class PartialVectorTests: XCTestCase {
    private let lengths = Array(1...20) + [31, 32, 33, 40]

    private func fill(_ p: UnsafeMutablePointer<Float>, _ n: Int, seed: Float) {
        for i in 0..<n { p[i] = (Float(i) * 0.37 + seed).truncatingRemainder(dividingBy: 5) - 2.5 }
    }

    func testMapAndZipTails() throws {
        let (a, b, y) = (try GuardPage(), try GuardPage(), try GuardPage())
        forEachSupportedISA { isa in
            for n in lengths {
                let x = a.last(n, of: Float.self), w = b.last(n, of: Float.self), out = y.last(n, of: Float.self)
                fill(x, n, seed: 0.1)
                fill(w, n, seed: 1.3)
                swiftnn_map(Int32(SWIFTNN_MAP_RELU.rawValue), x, out, n)
                for i in 0..<n { XCTAssertEqual(out[i], max(x[i], 0), "\(isa) relu n=\(n) [\(i)]") }
                swiftnn_zip(Int32(SWIFTNN_ZIP_MUL.rawValue), x, w, out, n)
                for i in 0..<n { XCTAssertEqual(out[i], x[i] * w[i], "\(isa) mul n=\(n) [\(i)]") }
                swiftnn_zip_scalar(Int32(SWIFTNN_ZIP_SUB.rawValue), x, 0.5, 1, out, n)
                for i in 0..<n { XCTAssertEqual(out[i], 0.5 - x[i], "\(isa) scalar sub n=\(n) [\(i)]") }
            }
        }
    }

    func testSoftmaxRowTails() throws {
        let (a, y) = (try GuardPage(), try GuardPage())
        forEachSupportedISA { isa in
            for width in lengths {
                let x = a.last(2 * width, of: Float.self), out = y.last(2 * width, of: Float.self)
                fill(x, 2 * width, seed: 0.7)
                swiftnn_softmax_rows(x, out, 2, width, 0)
                for row in 0..<2 {
                    let values = (0..<width).map { Double(x[row * width + $0]) }
                    let top = values.max()!, total = values.reduce(0) { $0 + exp($1 - top) }
                    for j in 0..<width {
                        XCTAssertEqual(Double(out[row * width + j]), exp(values[j] - top) / total, accuracy: 1e-6,
                                       "\(isa) softmax width \(width) row \(row) [\(j)]")
                    }
                }
            }
        }
    }

    func testGEMMPackBLastPanel() throws {
        let guarded = try GuardPage()
        forEachSupportedISA { isa in
            for nc in lengths {
                let (kc, ldb) = (3, nc + 2)
                // B's last row ends at the page: its columns nc and nc + 1 would be past it.
                let count = (kc - 1) * ldb + nc
                let b = guarded.last(count, of: Float.self)
                fill(b, count, seed: 0.4)
                let width = (nc + 15) / 16 * 16
                var packed = [Float](repeating: .nan, count: width * kc)
                swiftnn_gemm_pack_b(b, ldb, kc, nc, &packed)
                for p in 0..<kc {
                    for j in 0..<width {
                        XCTAssertEqual(packed[j / 16 * 16 * kc + p * 16 + j % 16], j < nc ? b[p * ldb + j] : 0,
                                       "\(isa) pack B nc=\(nc) (\(p), \(j))")
                    }
                }
            }
        }
    }

    func testMaxPoolRowTails() throws {
        let (a, y, at) = (try GuardPage(), try GuardPage(), try GuardPage())
        forEachSupportedISA { isa in
            for outW in lengths {
                let (height, width) = (4, 2 * outW)
                let x = a.last(height * width, of: Float.self)
                fill(x, height * width, seed: 0.2)
                let out = y.last(2 * outW, of: Float.self), argmax = at.last(2 * outW, of: Int32.self)
                swiftnn_max_pool_2x2(x, 1, height, width, out, argmax)
                for oy in 0..<2 {
                    for ox in 0..<outW {
                        let window = [0, 1, width, width + 1].map { 2 * oy * width + 2 * ox + $0 }
                        let best = window.max { x[$0] < x[$1] }!
                        XCTAssertEqual(out[oy * outW + ox], x[best], "\(isa) pool out_w \(outW) (\(oy), \(ox))")
                        XCTAssertEqual(x[Int(argmax[oy * outW + ox])], x[best], "\(isa) argmax out_w \(outW) (\(oy), \(ox))")
                    }
                }
            }
        }
    }
}
