import Foundation
import XCTest
@testable import SwiftNN

/// Checks the engine against Tests/fixtures/mlp_reference.json, written by
/// Tests/fixtures/make_fixtures.py (NumPy, float64): Linear(6,5) → ReLU →
/// Linear(5,3) with mean cross-entropy. The Python suite reads the same file.
final class FixtureTests: XCTestCase {
    private struct Packed: Decodable {
        let shape: [Int]
        let data: [Double]
        func tensor(requiresGrad: Bool = false) throws -> Tensor {
            try Tensor(shape: shape, scalars: data.map(Float.init), requiresGrad: requiresGrad)
        }
    }

    private struct Fixture: Decodable {
        let x: Packed
        let targets: [Int]
        let params: [String: Packed]
        let logits: Packed
        let loss: Double
        let grads: [String: Packed]
    }

    /// The fixture's model, with PyTorch's attribute names as state-dict keys.
    private final class TinyMLP: Module {
        let fc1: Linear, fc2: Linear
        init(_ input: Int, _ hidden: Int, _ classes: Int) throws {
            fc1 = try Linear(input, hidden)
            fc2 = try Linear(hidden, classes)
            super.init()
            registerModule("fc1", fc1)
            registerModule("fc2", fc2)
        }
        override func forward(_ input: Tensor) throws -> Tensor { try fc2(fc1(input).relu()) }
    }

    private static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()      // SwiftNNTests
        .deletingLastPathComponent()      // Tests
        .appendingPathComponent("fixtures/mlp_reference.json")

    private func loadFixture() throws -> Fixture {
        let data = try Data(contentsOf: Self.fixtureURL)
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    private let rtol = 1e-5, atol = 1e-7

    func testFixtureFormat() throws {
        let f = try loadFixture()
        XCTAssertEqual(f.x.shape, [4, 6])
        XCTAssertEqual(f.targets.count, 4)
        XCTAssertTrue(f.targets.allSatisfy { (0..<3).contains($0) })
        XCTAssertEqual(Set(f.params.keys), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(Set(f.grads.keys), Set(f.params.keys))
        XCTAssertEqual(f.params["fc1.weight"]?.shape, [5, 6])
        XCTAssertEqual(f.params["fc2.weight"]?.shape, [3, 5])
        XCTAssertEqual(f.logits.shape, [4, 3])
        for (name, p) in f.params {
            XCTAssertEqual(p.data.count, p.shape.reduce(1, *), name)
            XCTAssertEqual(f.grads[name]?.shape, p.shape, name)
            // Stored values are float32-representable.
            XCTAssertTrue(p.data.allSatisfy { Double(Float($0)) == $0 }, name)
        }
    }

    func testMLPMatchesNumPyReference() throws {
        let f = try loadFixture()
        let model = try TinyMLP(6, 5, 3)
        var state: [String: Tensor] = [:]
        for (name, p) in f.params { state[name] = try p.tensor() }
        try model.loadStateDict(state)
        XCTAssertEqual(model.stateDict().map(\.name), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])

        let logits = try model(f.x.tensor())
        assertClose(logits, shape: f.logits.shape, f.logits.data, rtol: rtol, atol: atol, "logits")
        let loss = try CrossEntropyLoss()(logits, f.targets)
        assertClose(loss, shape: [], [f.loss], rtol: rtol, atol: atol, "loss")

        try loss.backward()
        for (name, tensor) in model.namedParameters() {
            guard let expected = f.grads[name] else { XCTFail("no reference grad for \(name)"); continue }
            assertClose(tensor.grad, shape: expected.shape, expected.data, rtol: rtol, atol: atol, "grad \(name)")
        }
    }

    func testSequentialGivesTheSameNumbers() throws {
        // Same model built from Sequential: keys "0.*" and "2.*" instead of fc1/fc2.
        let f = try loadFixture()
        let model = Sequential(try Linear(6, 5), ReLU(), try Linear(5, 3))
        let rename = ["fc1.weight": "0.weight", "fc1.bias": "0.bias", "fc2.weight": "2.weight", "fc2.bias": "2.bias"]
        var state: [String: Tensor] = [:]
        for (name, p) in f.params { state[rename[name]!] = try p.tensor() }
        try model.loadStateDict(state)
        let logits = try model(f.x.tensor())
        assertClose(logits, shape: [4, 3], f.logits.data, rtol: rtol, atol: atol, "logits")
        let loss = try logits.crossEntropy(targets: f.targets)
        try loss.backward()
        for (name, seqName) in rename {
            let tensor = model.stateDict().first { $0.name == seqName }!.tensor
            assertClose(tensor.grad, shape: f.grads[name]!.shape, f.grads[name]!.data, rtol: rtol, atol: atol, "grad \(seqName)")
        }
    }
}
