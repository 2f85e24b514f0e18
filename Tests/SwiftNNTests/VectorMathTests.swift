import Foundation
import XCTest
import SwiftNNMicroKernels
@testable import SwiftNN

/// The vector exp and normal CDF of pointwise_vector.h against the double-precision libm
/// on every path this CPU runs, over dense grids, random points, both tails and the
/// special values. Φ is read back from GELU as gelu(x)/x, which keeps its relative
/// accuracy (erf(x/√2) = 2Φ(x) − 1, so Φ within 1e-7 is erf within 2e-7).
final class VectorMathTests: XCTestCase {
    private func map(_ op: swiftnn_map_op, _ xs: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: xs.count)
        swiftnn_map(Int32(op.rawValue), xs, &out, xs.count)
        return out
    }

    /// A dense grid on [low, high] plus random points.
    private func samples(_ low: Float, _ high: Float, steps: Int, seed: UInt64) -> [Float] {
        var rng = TestRNG(seed)
        let grid = (0...steps).map { low + (high - low) * Float($0) / Float(steps) }
        let random = (0..<steps).map { _ in rng.uniform(low, high) }
        return grid + random
    }

    func testExpRelativeErrorAndLimits() {
        let xs = samples(-87, 88.5, steps: 100_001, seed: 3) + samples(-1, 1, steps: 10_001, seed: 4)
        forEachSupportedISA { isa in
            for (x, y) in zip(xs, map(SWIFTNN_MAP_EXP, xs)) {
                let expected = Foundation.exp(Double(x))
                XCTAssertLessThan(abs(Double(y) - expected) / expected, 3e-7, "\(isa): exp(\(x)) = \(y), expected \(expected)")
            }
            let edge: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -100, 100, 88.72, -87.3]
            let y = map(SWIFTNN_MAP_EXP, edge)
            XCTAssertEqual(y[0], 1); XCTAssertEqual(y[1], 1)
            XCTAssertEqual(y[2], .infinity); XCTAssertEqual(y[3], 0)
            XCTAssertTrue(y[4].isNaN)
            XCTAssertEqual(y[5], 0); XCTAssertEqual(y[6], .infinity)
            XCTAssertLessThan(abs(Double(y[7]) / Foundation.exp(Double(edge[7])) - 1), 3e-7, "\(isa)")
            XCTAssertLessThan(abs(Double(y[8]) / Foundation.exp(Double(edge[8])) - 1), 3e-7, "\(isa)")
        }
    }

    func testNormalCDFWithinATenthOfAMillionthAndRelativeInTheLowerTail() {
        // Around the switch between the small-|x| polynomial and the tail (|x|/√2 = 0.921875).
        let split = Float(0.921875 * 2.0.squareRoot())
        let xs = samples(-13, 9, steps: 100_001, seed: 5) + samples(-1e-3, 1e-3, steps: 1001, seed: 2)
            + [split, -split, split.nextDown, -split.nextDown, split.nextUp, -split.nextUp, 20, -20, 1e-30, -1e-30]
        forEachSupportedISA { isa in
            for (x, y) in zip(xs, map(SWIFTNN_MAP_GELU, xs)) where x != 0 {
                let phi = Double(y) / Double(x)
                let expected = 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
                XCTAssertLessThan(abs(phi - expected), 1e-7, "\(isa): Φ(\(x)) = \(phi), expected \(expected)")
                // Down to where x·Φ(x) leaves the normal floats, Φ stays relatively accurate
                // (1 + erf would cancel).
                if expected * Double(abs(x)) > 1e-36 {
                    XCTAssertLessThan(abs(phi - expected) / expected, 2e-5, "\(isa): Φ(\(x)) relative: \(phi) vs \(expected)")
                }
            }
            let special = map(SWIFTNN_MAP_GELU, [0, -0.0, .infinity, .nan, -.greatestFiniteMagnitude])
            XCTAssertEqual(special[0], 0); XCTAssertEqual(special[1], 0)
            XCTAssertEqual(special[2], .infinity, "\(isa)")
            XCTAssertTrue(special[3].isNaN, "\(isa)")
            XCTAssertEqual(special[4], 0, "\(isa): x·Φ(x) underflows to −0 far in the lower tail")
        }
    }

    /// GELU through Pointwise (vector body, padded tail and the thread pool) against
    /// the double-precision formula, at sizes around and far above the vector width.
    func testGELUKernelMatchesNaiveReference() {
        for count in [0, 1, 7, 8, 9, 17, 63, 100_003] {
            let x = (0..<count).map { i in Float(sin(Double(i) * 0.37)) * 6 }
            let g = (0..<count).map { i in Float(cos(Double(i) * 0.11)) }
            var y = [Float](repeating: .nan, count: count), dx = [Float](repeating: .nan, count: count)
            Pointwise.map(.gelu, x, &y, count: count)
            Pointwise.zip(.geluBackward, g, x, &dx, count: count)
            let phi = x.map { 0.5 * Foundation.erfc(-Double($0) / 2.0.squareRoot()) }
            let density = x.map { Foundation.exp(-0.5 * Double($0) * Double($0)) / (2 * Double.pi).squareRoot() }
            assertClose(y, (0..<count).map { Double(x[$0]) * phi[$0] }, rtol: 1e-6, atol: 1e-7, "gelu n=\(count)")
            assertClose(dx, (0..<count).map { Double(g[$0]) * (phi[$0] + Double(x[$0]) * density[$0]) },
                        rtol: 1e-6, atol: 1e-7, "gelu backward n=\(count)")
        }
    }
}
