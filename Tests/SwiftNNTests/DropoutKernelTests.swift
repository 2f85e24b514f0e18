import XCTest
@testable import SwiftNN

/// The counter-based dropout mask: the threaded kernel against a naive loop at awkward
/// sizes, the keep rate, and masks that depend on the seed only.
final class DropoutKernelTests: XCTestCase {
    private func naive(_ x: [Float], key: UInt64, keep: Float, scale: Float) -> [Float] {
        x.enumerated().map { i, v in
            let u = Float(DropoutKernel.hash(key, i) >> 40) * 0x1p-24
            return v * (u < keep ? scale : 0)
        }
    }

    func testKernelMatchesNaiveLoop() {
        for (count, keep) in [(1, 0.5), (7, 0.3), (17, 0.9), (63, 1.0), (100_003, 0.8)] as [(Int, Float)] {
            let x = randomTensor([count], seed: UInt64(count), requiresGrad: false)
            let y = try! Tensor(uninitializedShape: [count])
            DropoutKernel.apply(x.data, y.data, count: count, key: 12345, keep: keep, scale: 1 / keep)
            XCTAssertEqual(y.scalars, naive(x.scalars, key: 12345, keep: keep, scale: 1 / keep), "\(count)")
        }
    }

    func testKeepRateAndIndependentKeys() {
        let count = 50_000
        let ones = try! Tensor.ones([count])
        let a = try! Tensor(uninitializedShape: [count]), b = try! Tensor(uninitializedShape: [count])
        DropoutKernel.apply(ones.data, a.data, count: count, key: 1, keep: 0.8, scale: 1)
        DropoutKernel.apply(ones.data, b.data, count: count, key: 2, keep: 0.8, scale: 1)
        let kept = a.scalars.reduce(0, +), both = zip(a.scalars, b.scalars).filter { $0 == 1 && $1 == 1 }.count
        XCTAssertEqual(Double(kept) / Double(count), 0.8, accuracy: 0.01)
        // Independent masks keep 0.64 of the elements in both.
        XCTAssertEqual(Double(both) / Double(count), 0.64, accuracy: 0.012)
        // Neighbouring elements are uncorrelated: P(kept i and kept i+1) ≈ 0.64 too.
        let values = a.scalars
        let pairs = (0..<(count - 1)).filter { values[$0] == 1 && values[$0 + 1] == 1 }.count
        XCTAssertEqual(Double(pairs) / Double(count - 1), 0.64, accuracy: 0.012)
    }

    func testThresholdIsExactAtTheBoundary() {
        // u·2⁻²⁴ < keep  ⇔  u < threshold, for u just below and at the threshold.
        for keep: Float in [0.2, 0.5, 0.8, 1 - 0x1p-24, 0x1p-24, 0] {
            let t = DropoutKernel.threshold(keep: keep)
            if t > 0 { XCTAssertTrue(Float(t - 1) * 0x1p-24 < keep) }
            XCTAssertFalse(Float(t) * 0x1p-24 < keep)
        }
    }
}
