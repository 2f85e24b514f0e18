import XCTest
@testable import SwiftNN

/// How backward handles buffers: gradients of one tensor are summed in place only when
/// nothing else can see the buffer, and activations are freed as soon as the backward
/// pass no longer needs them.
final class AutogradBufferTests: XCTestCase {
    /// Ops that hand one gradient (or a view of it) to several inputs must not see it
    /// change when another gradient is summed into the same tensor's total.
    func testSharedGradientsAreNotSummedInPlace() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, -2, 3, 4, -5, 6], requiresGrad: true)
        let y = try Tensor(shape: [2, 3], scalars: [2, 2, 2, 2, 2, 2], requiresGrad: true)
        // AddBackward gives the same g to x (twice) and to y; the view gives a view of it.
        let s = try x + x + y + x.reshape([3, 2]).reshape([2, 3]) + y * x
        try s.backward(try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        // ds/dx = 3 + y, ds/dy = 1 + x, times the seed.
        assertClose(x.grad, shape: [2, 3], [5, 10, 15, 20, 25, 30] as [Float])
        assertClose(y.grad, shape: [2, 3], [2, -2, 12, 20, -20, 42] as [Float])
    }

    func testUserSeedIsNeverWrittenInto() throws {
        let x = try Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let seed = try Tensor(shape: [3], scalars: [1, 1, 1])
        let h = try x * 1
        try (h + h).backward(seed)
        XCTAssertEqual(seed.scalars, [1, 1, 1])
        assertClose(x.grad, shape: [3], [2, 2, 2] as [Float])
    }

    /// Many gradients into one tensor (DenseNet's features feed every later layer), large
    /// enough for the threaded sum, against the closed form.
    func testManyGradientsIntoOneTensor() throws {
        let n = 70_001
        let x = try Tensor(shape: [n], scalars: (0..<n).map { Float($0 % 13) - 6 }, requiresGrad: true)
        let h = try x * 1
        var total = try h * 1
        for k in 2...6 { total = try total + h * Float(k) }
        try total.sum().backward()
        XCTAssertTrue(x.grad!.scalars.allSatisfy { $0 == 21 })
    }

    /// A backward that runs after every consumer of an activation finds it already freed.
    func testActivationsAreFreedDuringBackward() throws {
        weak var activation: Tensor?
        var freedBeforeLastStep = false
        let x = try Tensor(shape: [4], scalars: [1, 2, 3, 4], requiresGrad: true)
        let loss: Tensor
        do {
            // probe is processed last; by then `b` (needed only by the sum) must be gone.
            let probe = try x.mapped { $0 }.recording("ProbeBackward", inputs: [x]) { g, _ in
                freedBeforeLastStep = activation == nil
                return [g]
            }
            let b = try (probe * 2).exp()
            activation = b
            loss = try b.sum()
        }
        XCTAssertNotNil(activation)
        try loss.backward()
        XCTAssertTrue(freedBeforeLastStep)
        assertClose(x.grad, shape: [4], [1, 2, 3, 4].map { 2 * Foundation.exp(2 * Double($0)) }, rtol: 1e-5)
    }
}
