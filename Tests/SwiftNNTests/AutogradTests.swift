import Foundation
import XCTest
@testable import SwiftNN

/// The autograd engine itself: accumulation, clearing, no-grad, detach, graph
/// shapes, requiresGrad rules and its error cases.
final class AutogradTests: XCTestCase {
    func testGradientAccumulatesAcrossBackwardCalls() throws {
        let x = try Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        try (x * 2).sum().backward()
        assertClose(x.grad, shape: [3], [2, 2, 2] as [Float])
        try (x * x).sum().backward()
        assertClose(x.grad, shape: [3], [4, 6, 8] as [Float])
    }

    func testZeroGrad() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        try (x * 3).sum().backward()
        try x.setGrad(nil)
        XCTAssertNil(x.grad)
        try (x * 5).sum().backward()
        assertClose(x.grad, shape: [2], [5, 5] as [Float])
        // Module.zeroGrad and Optimizer.zeroGrad clear every parameter.
        let layer = try Linear(2, 2)
        try layer(tensor([1, 2], [1, 1])).sum().backward()
        XCTAssertNotNil(layer.weight.grad)
        layer.zeroGrad()
        XCTAssertNil(layer.weight.grad)
        XCTAssertNil(layer.bias?.grad)
        try layer(tensor([1, 2], [1, 1])).sum().backward()
        let opt = try SGD(parameters: layer.parameters(), lr: 0.1)
        opt.zeroGrad()
        XCTAssertTrue(layer.parameters().allSatisfy { $0.grad == nil })
        assertThrows(.invalidArgument, try x.setGrad(tensor([3], [1, 2, 3])))
    }

    func testFirstGradientIsACopy() throws {
        // The accumulated grad must not alias a tensor from the graph (the seed here).
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let seed = tensor([2], [1, 1])
        try x.backward(seed)
        try x.backward(seed)
        assertClose(x.grad, shape: [2], [2, 2] as [Float])
        XCTAssertEqual(seed.scalars, [1, 1], "the seed gradient was modified in place")
    }

    func testNoGradRecordsNothing() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = try withNoGrad { try (x * x).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        XCTAssertTrue(GradMode.isEnabled, "grad mode restored after withNoGrad")
        assertThrows(.runtime, try y.backward())
        // Nested: the inner block restores the outer (disabled) state.
        withNoGrad {
            withNoGrad { XCTAssertFalse(GradMode.isEnabled) }
            XCTAssertFalse(GradMode.isEnabled)
        }
        XCTAssertTrue(GradMode.isEnabled)
        // Restored even when the body throws.
        XCTAssertThrowsError(try withNoGrad { try x.reshape([5]) })
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testGradModeIsPerThread() {
        // withNoGrad on this thread must not switch recording off on another.
        final class Box: @unchecked Sendable { var enabled: Bool? }  // written before signal(), read after wait()
        let seen = Box()
        let done = DispatchSemaphore(value: 0)
        withNoGrad {
            let thread = Thread {
                seen.enabled = GradMode.isEnabled
                done.signal()
            }
            thread.start()
            done.wait()
            XCTAssertFalse(GradMode.isEnabled)
        }
        XCTAssertEqual(seen.enabled, true)
    }

    func testDetach() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = try x * 3
        let d = y.detach()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertTrue(d.isLeaf)
        XCTAssertEqual(d.scalars, [3, 6])
        // Gradient stops at the detached value: z = x·detach(3x) has dz/dx = 3x only.
        let z = try (x * d).sum()
        try z.backward()
        assertClose(x.grad, shape: [2], [3, 6] as [Float])
    }

    func testTensorUsedTwice() throws {
        let x = try Tensor(shape: [3], scalars: [1, -2, 3], requiresGrad: true)
        try (x * x).sum().backward()
        assertClose(x.grad, shape: [3], [2, -4, 6] as [Float])
        // x used in two separate branches of one expression: d/dx (x·x + 3x) = 2x + 3
        try x.setGrad(nil)
        try ((x * x) + (x * 3)).sum().backward()
        assertClose(x.grad, shape: [3], [5, -1, 9] as [Float])
    }

    func testDiamondGraph() throws {
        // a → b = 2a, c = a², d = b·c = 2a³  ⇒  dd/da = 6a²
        let a = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let b = try a * 2
        let c = try a * a
        try (b * c).sum().backward()
        assertClose(a.grad, shape: [2], [6, 24] as [Float])
        // A deeper diamond through views and reductions, checked numerically.
        checkGradients([randomTensor([2, 3], seed: 300)], "diamond") { x in
            let h = try x[0].tanh()
            let left = try h.sum(dims: [1], keepDim: true)
            let right = try h.transpose(0, 1).reshape([3, 2]).exp().mean(dims: [0])
            return try (h * left) + right.unsqueeze(1)
        }
    }

    func testLongChainDoesNotOverflow() throws {
        // The topological sort is iterative: a long chain must not blow the stack.
        let x = try Tensor(shape: [1], scalars: [1], requiresGrad: true)
        var y = x
        for _ in 0..<5000 { y = try y * 1 }
        try y.sum().backward()
        assertClose(x.grad, shape: [1], [1] as [Float])
    }

    func testRequiresGradPropagation() throws {
        let a = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let b = tensor([2], [3, 4])
        XCTAssertTrue(try (a + b).requiresGrad)
        XCTAssertTrue(try (b * a).requiresGrad)
        XCTAssertFalse(try (b * b).requiresGrad)
        XCTAssertFalse(try (b * b).sum().requiresGrad)
        XCTAssertTrue(try a.reshape([2, 1]).requiresGrad)
        XCTAssertTrue(try a.relu().requiresGrad)
        XCTAssertFalse((try (a + b)).isLeaf)
        XCTAssertTrue(a.isLeaf)
        // Only the inputs that require grad receive one.
        try (a * b).sum().backward()
        XCTAssertNotNil(a.grad)
        XCTAssertNil(b.grad)
        // Non-leaf results do not keep a grad (PyTorch's default without retain_grad).
        let a2 = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let mid = try a2 * 2
        try mid.sum().backward()
        XCTAssertNil(mid.grad)
    }

    func testSetRequiresGrad() throws {
        let x = tensor([2], [1, 2])
        XCTAssertFalse(x.requiresGrad)
        try x.setRequiresGrad()
        XCTAssertTrue(x.requiresGrad)
        let y = try x * 2
        assertThrows(.runtime, try y.setRequiresGrad(false))
        assertThrows(.runtime, try y.setRequiresGrad(true))
        try x.setRequiresGrad(false)
        XCTAssertFalse(try (x * 2).requiresGrad)
        // detach() makes a leaf that may be switched on.
        XCTAssertNoThrow(try y.detach().setRequiresGrad(true))
    }

    // MARK: Errors

    func testSecondBackwardThroughFreedGraphThrows() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let loss = try (x * x).sum()
        try loss.backward()
        assertThrows(.runtime, contains: "second time", try loss.backward())
        // Reusing a freed intermediate in a new graph also throws, not crashes.
        let h = try x * 3
        try h.sum().backward()
        assertThrows(.runtime, try (h * 2).sum().backward())
        // The first backward's gradient is intact.
        try x.setGrad(nil)
        try (x * x).sum().backward()
        assertClose(x.grad, shape: [2], [2, 4] as [Float])
    }

    func testBackwardOnNonScalarNeedsGradient() throws {
        let x = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let y = try x * 2
        assertThrows(.runtime, contains: "scalar", try y.backward())
        assertThrows(.invalidArgument, try y.backward(tensor([4], [1, 1, 1, 1])))
        try y.backward(tensor([2, 2], [1, 0, 0, 1]))
        assertClose(x.grad, shape: [2, 2], [2, 0, 0, 2] as [Float])
        // A one-element tensor of any rank may omit the gradient.
        let z = try Tensor(shape: [1, 1], scalars: [3], requiresGrad: true)
        try (z * z).backward()
        assertClose(z.grad, shape: [1, 1], [6] as [Float])
    }

    func testBackwardWithoutGradThrows() {
        let x = tensor([1], [1])
        assertThrows(.runtime, try x.backward())
        assertThrows(.runtime, try (x * 2).backward())
    }
}
