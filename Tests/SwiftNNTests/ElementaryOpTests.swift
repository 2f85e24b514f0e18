import Foundation
import XCTest
@testable import SwiftNN

/// abs, sqrt, clamp, pow: forward against Foundation, backward by finite differences.
final class ElementaryOpTests: XCTestCase {
    func testForwardAtAwkwardSizes() throws {
        for (i, shape) in [[1], [7], [17], [7, 9], [63]].enumerated() {
            let x = randomTensor(shape, seed: UInt64(300 + i), low: -3, high: 3, requiresGrad: false)
            let v = x.scalars.map(Double.init)
            assertClose(try x.abs(), shape: shape, v.map { Swift.abs($0) })
            assertClose(try x.abs().sqrt(), shape: shape, v.map { Foundation.sqrt(Swift.abs($0)) })
            assertClose(try x.clamp(min: -1, max: 0.5), shape: shape, v.map { Swift.min(Swift.max($0, -1), 0.5) })
            assertClose(try x.pow(Tensor(3)), shape: shape, v.map { Foundation.pow($0, 3) }, rtol: 1e-5, atol: 1e-5)
        }
    }

    func testEdgeValues() throws {
        let x = tensor([4], [-2, 0, 4, .nan])
        XCTAssertTrue(try x.sqrt().scalars[0].isNaN, "sqrt of a negative is NaN")
        XCTAssertTrue(try x.clamp(min: 0, max: 1).scalars[3].isNaN, "clamp keeps NaN, as PyTorch")
        let finite = tensor([3], [-2, 0, 4])
        assertClose(try finite.clamp(min: 3, max: 1), shape: [3], [1, 1, 1] as [Float])  // min > max: all max
        assertClose(try finite.clamp(min: nil, max: 1), shape: [3], [-2, 0, 1] as [Float])
        assertThrows(.runtime, contains: "at least one", try x.clamp(min: nil, max: nil))
        // (-2)^2 and (-2)^3 are exact; a number exponent needs no log of the base.
        assertClose(try tensor([2], [-2, 3]).pow(Tensor(2)), shape: [2], [4, 9] as [Float])
        assertClose(try tensor([1], [-2]).pow(Tensor(3)), shape: [1], [-8] as [Float])
    }

    func testGradients() throws {
        let away = randomTensor([3, 5], seed: 310, low: -2, high: 2, awayFromZero: 0.2)
        XCTAssertEqual(try gradientMismatches([away], "abs") { try $0[0].abs() }, [])
        let positive = randomTensor([3, 5], seed: 311, low: 0.3, high: 3)
        XCTAssertEqual(try gradientMismatches([positive], "sqrt") { try $0[0].sqrt() }, [])
        // Away from the bounds so the finite difference does not straddle a kink.
        // -1.15, -1.05, ..., 1.15: every value 0.05 from the bounds, some inside and some outside.
        let spread = try Tensor(shape: [4, 6], scalars: (0..<24).map { Float($0) * 0.1 - 1.15 }, requiresGrad: true)
        XCTAssertEqual(try gradientMismatches([spread], "clamp") { try $0[0].clamp(min: -0.5, max: 0.4) }, [])
        XCTAssertEqual(try gradientMismatches([spread], "clamp min") { try $0[0].clamp(min: -0.5, max: nil) }, [])
    }

    func testPowGradientsBroadcastBothSides() throws {
        let base = randomTensor([3, 4], seed: 313, low: 0.5, high: 2)
        let exponent = randomTensor([4], seed: 314, low: -1.5, high: 2.5)
        XCTAssertEqual(try gradientMismatches([base, exponent], "pow") { try $0[0].pow($0[1]) }, [])
        // A constant integer exponent differentiates negative bases too.
        let negative = randomTensor([2, 3], seed: 315, low: -2, high: 2, awayFromZero: 0.2)
        let two = try Tensor(shape: [], scalars: [2])
        XCTAssertEqual(try gradientMismatches([negative], "square") { try $0[0].pow(two) }, [])
        // x^0 has gradient 0, also at x = 0 (no 0 * inf).
        let x = try Tensor(shape: [2], scalars: [0, 3], requiresGrad: true)
        try x.pow(Tensor(0)).backward(tensor([2], [1, 1]))
        assertClose(x.grad, shape: [2], [0, 0] as [Float])
    }
}
