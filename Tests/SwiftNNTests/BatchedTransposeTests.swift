import XCTest
@testable import SwiftNN

/// The last-two-dimensions transpose against direct indexing, at sizes around the
/// 8×8 tile and large enough for the thread pool, and through transpose's gradient.
final class BatchedTransposeTests: XCTestCase {
    func testMatchesDirectIndexing() throws {
        for (batch, rows, cols) in [(1, 1, 1), (1, 7, 17), (3, 8, 8), (2, 17, 9), (5, 1, 13), (2, 24, 40), (1, 9, 16), (257, 64, 33)] {
            let n = batch * rows * cols
            let input = (0..<n).map { Float($0) * 0.5 - 3 }
            var out = [Float](repeating: .nan, count: n)
            BatchedTranspose.run(input, &out, batch: batch, rows: rows, cols: cols)
            var expected = [Float](repeating: 0, count: n)
            for b in 0..<batch { for i in 0..<rows { for j in 0..<cols {
                expected[b * rows * cols + j * rows + i] = input[b * rows * cols + i * cols + j]
            } } }
            XCTAssertEqual(out, expected, "batch=\(batch) rows=\(rows) cols=\(cols)")
        }
    }

    /// Tensor.transpose takes this path for the last two dimensions (any rank ≥ 2).
    func testTransposeOpForwardAndGradient() throws {
        let x = randomTensor([2, 3, 7, 17], seed: 11)
        let y = try x.transpose(-1, -2)
        XCTAssertEqual(y.shape, [2, 3, 17, 7])
        let xs = x.scalars, ys = y.scalars
        for b in 0..<6 { for i in 0..<7 { for j in 0..<17 { XCTAssertEqual(ys[b * 119 + j * 7 + i], xs[b * 119 + i * 17 + j]) } } }
        checkGradients([randomTensor([3, 9, 5], seed: 12)], "transpose(1, 2)") { try $0[0].transpose(1, 2) }
        checkGradients([randomTensor([5, 7], seed: 13)], "transpose(0, 1)") { try $0[0].transpose(0, 1) }
    }
}
