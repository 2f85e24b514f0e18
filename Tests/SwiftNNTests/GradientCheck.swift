import Foundation
import XCTest
@testable import SwiftNN

// Shared helpers for the op tests: a deterministic generator independent of the
// engine's default generator, tensor factories that keep inputs away from kinks,
// closeness assertions, error assertions, and the finite-difference gradient check.

/// splitmix64: deterministic test data that never touches `DefaultGenerator`.
struct TestRNG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) * 0x1p-24
    }

    mutating func int(below n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func shuffled<T>(_ array: [T]) -> [T] {
        var a = array
        if a.count < 2 { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(below: i + 1)) }
        return a
    }
}

/// Uniform values in [low, high); when `awayFromZero` > 0 every |value| is at
/// least that (sign chosen at random), keeping relu/abs-like kinks out of reach
/// of the finite-difference step.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1,
                  awayFromZero: Float = 0, requiresGrad: Bool = true) -> Tensor {
    var rng = TestRNG(seed)
    let n = shape.reduce(1, *)
    let values: [Float] = (0..<n).map { _ in
        if awayFromZero > 0 {
            let magnitude = rng.uniform(awayFromZero, Swift.max(abs(low), abs(high)))
            return rng.next() & 1 == 0 ? magnitude : -magnitude
        }
        return rng.uniform(low, high)
    }
    return try! Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

/// Pairwise distinct values at least `spacing` apart (a shuffled ladder with
/// jitter), so max/amax have no ties within the finite-difference step.
func distinctTensor(_ shape: [Int], seed: UInt64, spacing: Float = 0.1, requiresGrad: Bool = true) -> Tensor {
    var rng = TestRNG(seed)
    let n = shape.reduce(1, *)
    let ladder = (0..<n).map { i in (Float(i) - Float(n) / 2) * spacing + rng.uniform(0, spacing * 0.25) }
    return try! Tensor(shape: shape, scalars: rng.shuffled(ladder), requiresGrad: requiresGrad)
}

func tensor(_ shape: [Int], _ scalars: [Float], requiresGrad: Bool = false) -> Tensor {
    try! Tensor(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
}

// MARK: - Closeness

/// |actual − expected| ≤ atol + rtol·|expected| elementwise, and equal shapes.
func assertClose(_ actual: Tensor?, shape: [Int], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { XCTFail("tensor is nil. \(message())", file: file, line: line); return }
    XCTAssertEqual(actual.shape, shape, "shape. \(message())", file: file, line: line)
    assertClose(actual.scalars, expected, rtol: rtol, atol: atol, message(), file: file, line: line)
}

func assertClose(_ actual: Tensor?, shape: [Int], _ expected: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, shape: shape, expected.map(Double.init), rtol: rtol, atol: atol, message(), file: file, line: line)
}

func assertClose(_ actual: [Float], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("count \(actual.count) != expected \(expected.count). \(message())", file: file, line: line)
        return
    }
    var failures = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || (Double(a) == e) || abs(Double(a) - e) <= atol + rtol * abs(e)
        if !ok {
            failures += 1
            if failures <= 5 {
                XCTFail("element \(i): got \(a), expected \(e). \(message())", file: file, line: line)
            }
        }
    }
    if failures > 5 { XCTFail("\(failures) elements differ in total. \(message())", file: file, line: line) }
}

func assertClose(_ actual: [Float], _ expected: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, expected.map(Double.init), rtol: rtol, atol: atol, message(), file: file, line: line)
}

// MARK: - Errors

enum ErrorKind { case invalidArgument, wrongType, outOfRange, io, runtime, readOnly }

extension SwiftNNError {
    var kind: ErrorKind {
        switch self {
        case .invalidArgument: return .invalidArgument
        case .wrongType: return .wrongType
        case .outOfRange: return .outOfRange
        case .io: return .io
        case .runtime: return .runtime
        case .readOnly: return .readOnly
        }
    }
}

/// The expression must throw a `SwiftNNError` of the given kind (and, if given,
/// with a message containing `contains`).
func assertThrows<T>(_ kind: ErrorKind, contains: String? = nil, _ expression: @autoclosure () throws -> T,
                     file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try expression()
        XCTFail("expected a \(kind) error, nothing was thrown", file: file, line: line)
    } catch let error as SwiftNNError {
        XCTAssertEqual(error.kind, kind, "wrong error kind: \(error)", file: file, line: line)
        if let contains {
            XCTAssertTrue(error.description.contains(contains),
                          "message \"\(error.description)\" lacks \"\(contains)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected SwiftNNError, got \(error)", file: file, line: line)
    }
}

// MARK: - Finite differences

/// Set GRADCHECK_REPORT=1 to print, per checked input, the worst ratio of the
/// observed error to the allowed error (1.0 = at the tolerance): the margin the
/// tolerances leave.
private let reportMargins = ProcessInfo.processInfo.environment["GRADCHECK_REPORT"] != nil

/// Compares the backward pass of `op` with central finite differences and returns
/// a description of every problem found (empty when the gradients agree).
///
/// With a fixed random R of the output's shape, L = Σ op(inputs)·R; the analytic
/// gradient is what `backward(R)` accumulates into each input's `grad` (the same as
/// backpropagating `(op(inputs) * R).sum()`, but without depending on mul and sum).
/// The numeric gradient perturbs each element of each input that requires grad by
/// ±h and evaluates L in Double from the float32 outputs:
/// (L(x+h) − L(x−h)) / (x+h − (x−h)), using the float32-rounded step actually taken.
/// An element passes when |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
///
/// `op` is re-run for every perturbation, so it must be deterministic (seed any
/// randomness inside it). Inputs without requiresGrad are held fixed and must end
/// up without a gradient.
func gradientMismatches(_ inputs: [Tensor], _ label: String = "", h: Float = 1e-2, rtol: Double = 2e-3,
                        atol: Double = 2e-4, seed: UInt64 = 0xC0FFEE,
                        _ op: ([Tensor]) throws -> Tensor) throws -> [String] {
    var problems: [String] = []
    for x in inputs { try x.setGrad(nil) }
    let out = try op(inputs)
    guard out.requiresGrad else { return ["\(label): output does not require grad"] }
    let r = randomTensor(out.shape, seed: seed, low: -1, high: 1, requiresGrad: false)
    let weights = r.scalars.map(Double.init)
    try out.backward(r)

    func loss() throws -> Double {
        let y = try withNoGrad { try op(inputs) }
        guard y.shape == out.shape else { throw SwiftNNError.runtime("\(label): output shape changed") }
        var total = 0.0
        for (v, w) in zip(y.scalars, weights) { total += Double(v) * w }
        return total
    }

    for (index, x) in inputs.enumerated() {
        guard x.requiresGrad else {
            if x.grad != nil { problems.append("\(label): input \(index) has no requiresGrad but got a grad") }
            continue
        }
        guard let analytic = x.grad else {
            problems.append("\(label): input \(index) got no gradient")
            continue
        }
        guard analytic.shape == x.shape else {
            problems.append("\(label): input \(index) has shape \(x.shape) but its grad \(analytic.shape)")
            continue
        }
        let g = analytic.scalars
        var worstRatio = 0.0
        var failures = 0
        for i in 0..<x.count {
            let original = x.data[i]
            let plus = original + h, minus = original - h
            x.data[i] = plus
            let lPlus = try loss()
            x.data[i] = minus
            let lMinus = try loss()
            x.data[i] = original
            let numeric = (lPlus - lMinus) / (Double(plus) - Double(minus))
            let a = Double(g[i])
            let allowed = atol + rtol * Swift.max(abs(a), abs(numeric))
            worstRatio = Swift.max(worstRatio, abs(a - numeric) / allowed)
            if !(abs(a - numeric) <= allowed) {
                failures += 1
                if failures <= 4 {
                    problems.append("\(label): input \(index) shape \(x.shape) element \(i): analytic \(a) vs numeric \(numeric)")
                }
            }
        }
        if failures > 4 { problems.append("\(label): input \(index): \(failures) of \(x.count) elements differ") }
        if reportMargins { print("GRADCHECK \(String(format: "%.3f", worstRatio)) \(label) input \(index)") }
    }
    return problems
}

/// `gradientMismatches` as an XCTest assertion: one failure per problem.
func checkGradients(_ inputs: [Tensor], _ label: String = "", h: Float = 1e-2, rtol: Double = 2e-3, atol: Double = 2e-4,
                    seed: UInt64 = 0xC0FFEE, file: StaticString = #filePath, line: UInt = #line,
                    _ op: ([Tensor]) throws -> Tensor) {
    do {
        for problem in try gradientMismatches(inputs, label, h: h, rtol: rtol, atol: atol, seed: seed, op) {
            XCTFail(problem, file: file, line: line)
        }
    } catch {
        XCTFail("\(label): threw \(error)", file: file, line: line)
    }
}
