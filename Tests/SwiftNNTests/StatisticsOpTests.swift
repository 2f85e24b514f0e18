import Foundation
import XCTest
@testable import SwiftNN

/// var, std and clone: forward against a float64 two-pass reference, backward by finite differences.
final class StatisticsOpTests: XCTestCase {
    /// Σ(x − mean)² / max(0, n − correction) along `dim` of a [outer, n, inner] view, in Double.
    private func reference(_ x: Tensor, dim: Int, correction: Double) -> [Double] {
        let shape = x.shape
        let n = shape[dim]
        let outer = shape[..<dim].reduce(1, *), inner = shape[(dim + 1)...].reduce(1, *)
        let v = x.scalars.map(Double.init)
        var out: [Double] = []
        for o in 0..<outer {
            for i in 0..<inner {
                let column = (0..<n).map { v[(o * n + $0) * inner + i] }
                let mean = column.reduce(0, +) / Double(n)
                out.append(column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Swift.max(0, Double(n) - correction))
            }
        }
        return out
    }

    func testForwardAtAwkwardSizes() throws {
        for (i, shape) in [[1, 7], [7, 17], [3, 63, 2], [17, 1, 5]].enumerated() {
            let x = randomTensor(shape, seed: UInt64(400 + i), low: -3, high: 3, requiresGrad: false)
            for dim in 0..<shape.count where shape[dim] > 1 {
                var out = shape
                out.remove(at: dim)
                for correction: Float in [0, 1] {
                    let expected = reference(x, dim: dim, correction: Double(correction))
                    assertClose(try x.variance(dims: [dim], correction: correction), shape: out, expected, rtol: 1e-4, atol: 1e-5)
                    assertClose(try x.std(dims: [dim], correction: correction), shape: out, expected.map { $0.squareRoot() },
                                rtol: 1e-4, atol: 1e-5)
                }
            }
        }
    }

    func testWholeTensorKeepDimAndDegenerateDivisors() throws {
        let x = tensor([2, 2], [1, 2, 3, 4])
        assertClose(try x.variance(), shape: [], [5.0 / 3.0] as [Double])
        assertClose(try x.std(dims: [0, 1], correction: 0, keepDim: true), shape: [1, 1], [Double(1.25).squareRoot()])
        XCTAssertTrue(try tensor([1], [2]).variance().scalars[0].isNaN, "0 / 0 for one element, as PyTorch")
        XCTAssertTrue(try x.variance(correction: 5).scalars[0].isInfinite, "a negative divisor clamps to 0")
        assertThrows(.outOfRange, contains: "dimension out of range", try x.variance(dims: [2]))
    }

    func testGradients() throws {
        let x = randomTensor([3, 5], seed: 410, low: -2, high: 2)
        XCTAssertEqual(try gradientMismatches([x], "var all") { try $0[0].variance() }, [])
        XCTAssertEqual(try gradientMismatches([x], "var dim") { try $0[0].variance(dims: [1], correction: 0) }, [])
        XCTAssertEqual(try gradientMismatches([x], "std dim keep") { try $0[0].std(dims: [0], keepDim: true) }, [])
        let cube = randomTensor([2, 3, 4], seed: 411, low: -2, high: 2)
        XCTAssertEqual(try gradientMismatches([cube], "std dims") { try $0[0].std(dims: [0, 2]) }, [])
        XCTAssertEqual(try gradientMismatches([cube], "clone") { try $0[0].cloned().multiplying(cube) }, [])
    }

    func testCloneOwnsItsStorage() throws {
        let x = tensor([3], [1, 2, 3])
        let copy = try x.cloned()
        try copy.assign(tensor([3], [0, 0, 0]))
        assertClose(x, shape: [3], [1, 2, 3] as [Float])
    }
}
