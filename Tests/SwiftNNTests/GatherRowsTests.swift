import XCTest
import SwiftNNKernels
import SwiftNNMicroKernels

/// im2col's strided row gather (`swiftnn_gather_rows`) against direct indexing, on every
/// ISA path, at widths around each vector size and with the source's last float the last
/// of a page followed by an inaccessible one: a read past it would crash the test.
final class GatherRowsTests: XCTestCase {
    func testMatchesDirectIndexingAndReadsNothingPastTheSource() throws {
        let guarded = try GuardPage()
        forEachSupportedISA { isa in
            for step in [1, 2, 3] {
                for cols in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40] {
                    for rows in [1, 3] {
                        let srcRow = (cols - 1) * step + 1 + 5
                        // The last float read is src[(rows − 1)·srcRow + (cols − 1)·step], the page's last.
                        let count = (rows - 1) * srcRow + (cols - 1) * step + 1
                        let src = guarded.last(count, of: Float.self)
                        for i in 0..<count { src[i] = Float(i) * 0.25 - 7 }
                        let ldDst = cols + 2
                        var dst = [Float](repeating: .nan, count: rows * ldDst)
                        swiftnn_gather_rows(src, srcRow, step, rows, cols, &dst, ldDst)
                        for r in 0..<rows {
                            for j in 0..<cols {
                                XCTAssertEqual(dst[r * ldDst + j], src[r * srcRow + j * step],
                                               "\(isa) step \(step) cols \(cols) at (\(r), \(j))")
                            }
                            XCTAssertTrue(dst[r * ldDst + cols].isNaN && dst[r * ldDst + cols + 1].isNaN,
                                          "\(isa) step \(step) cols \(cols): wrote past the row")
                        }
                    }
                }
            }
        }
    }
}
