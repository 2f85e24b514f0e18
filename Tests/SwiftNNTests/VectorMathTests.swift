import Foundation
import XCTest
@testable import SwiftNN

/// VectorMath (eight-lane exp, erf, normal CDF) against the double-precision libm,
/// over dense grids, random points, both tails and the special values.
final class VectorMathTests: XCTestCase {
    /// Runs `f` on `xs` eight at a time (the last vector zero-padded).
    private func lanes(_ xs: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>) -> [Float] {
        var out: [Float] = []
        var i = 0
        while i < xs.count {
            var v = SIMD8<Float>()
            for j in 0..<min(8, xs.count - i) { v[j] = xs[i + j] }
            let r = f(v)
            for j in 0..<min(8, xs.count - i) { out.append(r[j]) }
            i += 8
        }
        return out
    }

    /// A dense grid on [low, high] plus random points and their negations.
    private func samples(_ low: Float, _ high: Float, steps: Int, seed: UInt64) -> [Float] {
        var rng = TestRNG(seed)
        let grid = (0...steps).map { low + (high - low) * Float($0) / Float(steps) }
        let random = (0..<steps).map { _ in rng.uniform(low, high) }
        return grid + random
    }

    private let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .leastNormalMagnitude, -.leastNormalMagnitude,
                                     .leastNonzeroMagnitude, 1e-30, -1e-30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]

    func testErfWithinTwoTenthsOfAMillionthEverywhere() {
        let xs = samples(-7, 7, steps: 200_003, seed: 1) + samples(-1e-3, 1e-3, steps: 1001, seed: 2)
            + [VectorMath.split, -VectorMath.split, VectorMath.split.nextDown, -VectorMath.split.nextDown, 3.9, 4, 4.5, 20, -20]
            + specials
        let got = lanes(xs, VectorMath.erf)
        for (x, y) in zip(xs, got) {
            let expected = Foundation.erf(Double(x))
            if expected.isNaN { XCTAssertTrue(y.isNaN, "erf(\(x))"); continue }
            XCTAssertLessThan(abs(Double(y) - expected), 2e-7, "erf(\(x)) = \(y), expected \(expected)")
            // Near zero erf is ~1.128·x: the error must shrink with it (subnormals excepted).
            if abs(x) < 0.5 && x.isNormal { XCTAssertLessThanOrEqual(abs(Double(y) - expected), 2e-7 * abs(expected), "erf(\(x)) relative") }
            XCTAssertEqual(y.sign, x.sign, "erf(\(x)) sign")
        }
    }

    func testExpRelativeErrorAndLimits() {
        let xs = samples(-87, 88.5, steps: 100_001, seed: 3) + samples(-1, 1, steps: 10_001, seed: 4)
        let got = lanes(xs, VectorMath.exp)
        for (x, y) in zip(xs, got) {
            let expected = Foundation.exp(Double(x))
            XCTAssertLessThan(abs(Double(y) - expected) / expected, 3e-7, "exp(\(x)) = \(y), expected \(expected)")
        }
        let edge: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -100, 100, 88.72, -87.3]
        let y = lanes(edge, VectorMath.exp)
        XCTAssertEqual(y[0], 1); XCTAssertEqual(y[1], 1)
        XCTAssertEqual(y[2], .infinity); XCTAssertEqual(y[3], 0)
        XCTAssertTrue(y[4].isNaN)
        XCTAssertEqual(y[5], 0); XCTAssertEqual(y[6], .infinity)
        XCTAssertLessThan(abs(Double(y[7]) / Foundation.exp(Double(edge[7])) - 1), 3e-7)
        XCTAssertLessThan(abs(Double(y[8]) / Foundation.exp(Double(edge[8])) - 1), 3e-7)
    }

    func testNormalCDFKeepsRelativeAccuracyInTheLowerTail() {
        let xs = samples(-13, 9, steps: 100_001, seed: 5) + specials
        let got = lanes(xs, VectorMath.normalCDF)
        for (x, y) in zip(xs, got) {
            let expected = 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            if expected.isNaN { XCTAssertTrue(y.isNaN, "Φ(\(x))"); continue }
            XCTAssertLessThan(abs(Double(y) - expected), 1e-7, "Φ(\(x)) = \(y), expected \(expected)")
            // Down to the smallest normal float, Φ stays relatively accurate (1 + erf would not).
            if expected > 1e-37 {
                XCTAssertLessThan(abs(Double(y) - expected) / expected, 2e-5, "Φ(\(x)) relative: \(y) vs \(expected)")
            }
        }
    }

    /// GELU through the kernel (vector body, padded tail and the thread pool) against
    /// the double-precision formula, at sizes around and far above the vector width.
    func testGELUKernelMatchesNaiveReference() {
        for count in [0, 1, 7, 8, 9, 17, 63, 100_003] {
            let x = (0..<count).map { i in Float(sin(Double(i) * 0.37)) * 6 }
            let g = (0..<count).map { i in Float(cos(Double(i) * 0.11)) }
            var y = [Float](repeating: .nan, count: count), dx = [Float](repeating: .nan, count: count)
            GELUKernel.forward(x, &y, count: count)
            GELUKernel.backward(g, x, &dx, count: count)
            let phi = x.map { 0.5 * Foundation.erfc(-Double($0) / 2.0.squareRoot()) }
            let density = x.map { Foundation.exp(-0.5 * Double($0) * Double($0)) / (2 * Double.pi).squareRoot() }
            assertClose(y, (0..<count).map { Double(x[$0]) * phi[$0] }, rtol: 1e-6, atol: 1e-7, "gelu n=\(count)")
            assertClose(dx, (0..<count).map { Double(g[$0]) * (phi[$0] + Double(x[$0]) * density[$0]) },
                        rtol: 1e-6, atol: 1e-7, "gelu backward n=\(count)")
        }
    }
}
