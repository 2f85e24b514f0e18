import Foundation
import XCTest
import SwiftNNMicroKernels
@testable import SwiftNN

/// The selection logic of the kernel paths, and each path's tiles at the C level
/// against a naive product (the Swift kernels over them are covered per path by
/// `EveryKernelISATestCase`).
final class KernelISATests: XCTestCase {
    func testLoadTimeChoiceIsSupportedAndBaselineAlwaysIs() {
        XCTAssertTrue(KernelISA.baseline.isSupported)
        XCTAssertTrue(KernelISA.active.isSupported)
        XCTAssertTrue(KernelISA.best.isSupported)
        XCTAssertEqual(KernelISA.supported.first, .baseline)
        // SWIFTNN_ISA (make test-swift runs the kernel tests once per path) is obeyed
        // when the CPU runs it; otherwise the best path is used, with a warning.
        let raw = ProcessInfo.processInfo.environment["SWIFTNN_ISA"] ?? ""
        if let requested = KernelISA(name: raw), requested.isSupported {
            XCTAssertEqual(KernelISA.active, requested)
            XCTAssertNil(KernelISA.selectionWarning)
        } else {
            XCTAssertEqual(KernelISA.active, KernelISA.best)
            XCTAssertEqual(KernelISA.selectionWarning == nil, raw.isEmpty || raw == "auto")
        }
        XCTAssertFalse(KernelISA.cpuModel.isEmpty)
        XCTAssertTrue(KernelISA.summary.contains("kernels: \(KernelISA.active)"))
    }

    func testPathsAreOrderedBySupport() {
        // A CPU with AVX-512 (F/BW/VL/DQ) always has AVX2 + FMA as well.
        if KernelISA.avx512.isSupported { XCTAssertTrue(KernelISA.avx2.isSupported) }
        XCTAssertEqual(KernelISA.best, KernelISA.supported.last)
    }

    func testNamesRoundTripAndUnknownNamesAreRejected() {
        for isa in KernelISA.allCases { XCTAssertEqual(KernelISA(name: isa.description), isa) }
        XCTAssertNil(KernelISA(name: "avx"))
        XCTAssertNil(KernelISA(name: ""))
        XCTAssertEqual(swiftnn_isa_parse(nil), -1)
        XCTAssertEqual(String(cString: swiftnn_isa_name(7)), "unknown")
    }

    func testSelectingSwitchesAndUnsupportedLeavesTheChoice() {
        let loaded = KernelISA.active
        defer { KernelISA.select(loaded) }
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            XCTAssertEqual(KernelISA.active, isa)
        }
        KernelISA.select(.baseline)
        for isa in KernelISA.allCases where !isa.isSupported {
            XCTAssertFalse(KernelISA.select(isa))
            XCTAssertEqual(KernelISA.active, .baseline)
        }
        XCTAssertEqual(swiftnn_isa_select(-1), -1)
        XCTAssertEqual(swiftnn_isa_select(3), -1)
        XCTAssertEqual(KernelISA.active, .baseline)
    }

    /// swiftnn_gemm_packed on packed panels at awkward sizes, every path, against a
    /// Double product; alpha/beta (and beta = 0 with NaN in C) included.
    func testPackedGEMMTileEveryPathAgainstNaive() {
        let loaded = KernelISA.active
        defer { KernelISA.select(loaded) }
        var rng = SplitMix(seed: 5)
        for isa in KernelISA.supported {
            KernelISA.select(isa)
            for (m, n, k) in [(1, 1, 1), (7, 17, 3), (13, 33, 17), (25, 63, 64), (12, 32, 1), (6, 16, 300)] {
                let panelsA = (m + 5) / 6, panelsB = (n + 15) / 16
                var a = [Float](repeating: 0, count: panelsA * 6 * k), b = [Float](repeating: 0, count: panelsB * 16 * k)
                // Zero padding past m rows / n columns, as the packers leave it.
                for i in 0..<m { for p in 0..<k { a[(i / 6) * 6 * k + p * 6 + i % 6] = rng.uniform() } }
                for j in 0..<n { for p in 0..<k { b[(j / 16) * 16 * k + p * 16 + j % 16] = rng.uniform() } }
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2)] {
                    let ldc = n + 3
                    var c = [Float](repeating: beta == 0 ? .nan : 1, count: m * ldc)
                    swiftnn_gemm_packed(a, b, m, n, k, &c, ldc, alpha, beta)
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k {
                                sum += Double(a[(i / 6) * 6 * k + p * 6 + i % 6]) * Double(b[(j / 16) * 16 * k + p * 16 + j % 16])
                            }
                            let expected = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta))
                            XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-4 * Double(k),
                                           "\(isa) \(m)×\(n)×\(k) at (\(i), \(j))")
                        }
                        for j in n..<ldc {
                            XCTAssertTrue(beta == 0 ? c[i * ldc + j].isNaN : c[i * ldc + j] == 1, "\(isa): wrote past column \(n)")
                        }
                    }
                }
            }
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func uniform() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }
}
