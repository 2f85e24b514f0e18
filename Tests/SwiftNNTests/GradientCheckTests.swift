import XCTest
@testable import SwiftNN

/// The finite-difference checker must pass correct backward passes and catch
/// wrong ones; otherwise every gradient test built on it proves nothing.
final class GradientCheckTests: XCTestCase {
    /// x ↦ x³ with a backward scaled by `factor` (1 is correct), made with the
    /// engine's internal `recording`, the way every op attaches its backward.
    private func cube(_ x: Tensor, gradientFactor factor: Float) throws -> Tensor {
        try x.mapped { $0 * $0 * $0 }.recording("CubeBackward", inputs: [x]) { g, _ in
            [try g.zipped(x) { $0 * 3 * $1 * $1 * factor }]
        }
    }

    func testAcceptsCorrectBackward() throws {
        let x = randomTensor([3, 4], seed: 900)
        XCTAssertEqual(try gradientMismatches([x], "cube") { try self.cube($0[0], gradientFactor: 1) }, [])
    }

    func testCatchesWrongBackward() throws {
        for factor: Float in [0, -1, 1.01, 2] {
            let x = randomTensor([3, 4], seed: 901)
            let problems = try gradientMismatches([x], "cube×\(factor)") { try self.cube($0[0], gradientFactor: factor) }
            XCTAssertFalse(problems.isEmpty, "a backward off by ×\(factor) went unnoticed")
        }
    }

    func testCatchesMissingAndUnexpectedGradients() throws {
        // An input that requires grad but receives none.
        let a = randomTensor([2], seed: 902), b = randomTensor([2], seed: 903)
        let missing = try gradientMismatches([a, b], "detached b") { try $0[0] * $0[1].detach() }
        XCTAssertTrue(missing.contains { $0.contains("got no gradient") }, "\(missing)")
        // Output that does not require grad at all.
        let c = randomTensor([2], seed: 904)
        XCTAssertFalse(try gradientMismatches([c], "no graph") { try $0[0].detach().relu() }.isEmpty)
    }
}
