import XCTest
@testable import SwiftNN

/// ColumnSums (Linear's bias gradient) against a Double column sum: awkward widths
/// around its 8-wide step, one row, and matrices large enough to be split over threads.
final class ColumnSumsTests: XCTestCase {
    func testMatchesNaiveColumnSums() {
        var rng = TestRNG(21)
        for (rows, n) in [(1, 1), (1, 9), (7, 17), (63, 8), (17, 65), (4099, 7), (4099, 129), (70000, 5), (0, 3)] {
            let x = (0..<(rows * n)).map { _ in rng.uniform(-1, 1) }
            var out = [Float](repeating: .nan, count: n)
            x.withUnsafeBufferPointer { px in
                out.withUnsafeMutableBufferPointer { po in
                    ColumnSums.sum(px.baseAddress!, rows: rows, n: n, into: po.baseAddress!)
                }
            }
            for j in 0..<n {
                var expected = 0.0
                for i in 0..<rows { expected += Double(x[i * n + j]) }
                XCTAssertEqual(Double(out[j]), expected, accuracy: 1e-5 * Double(max(rows, 1)).squareRoot() + 1e-6,
                               "\(rows)×\(n) column \(j)")
            }
        }
    }
}
