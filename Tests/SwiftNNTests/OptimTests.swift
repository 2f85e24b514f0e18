import XCTest
@testable import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// One parameter's update in double precision, written from PyTorch's documented algorithm.
typealias ReferenceStep = (inout [Double], [Double]) -> Void

private func zeros(_ n: Int) -> [Double] { [Double](repeating: 0, count: n) }

/// Adam / AdamW (`decoupled`), including amsgrad.
func referenceAdam(lr: Double = 1e-3, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8, wd: Double = 0,
                   amsgrad: Bool = false, decoupled: Bool = false) -> () -> ReferenceStep {
    {
        var m: [Double] = [], v: [Double] = [], vMax: [Double] = [], t = 0.0
        return { p, grad in
            if m.isEmpty { (m, v, vMax) = (zeros(p.count), zeros(p.count), zeros(p.count)) }
            t += 1
            for i in p.indices {
                if decoupled { p[i] *= 1 - lr * wd }
                let g = grad[i] + (decoupled ? 0 : wd * p[i])
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                vMax[i] = max(vMax[i], v[i])
                let denominator = (amsgrad ? vMax[i] : v[i]).squareRoot() / (1 - pow(b2, t)).squareRoot() + eps
                p[i] -= lr / (1 - pow(b1, t)) * m[i] / denominator
            }
        }
    }
}

func referenceRMSprop(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, wd: Double = 0,
                      momentum: Double = 0, centered: Bool = false) -> () -> ReferenceStep {
    {
        var s: [Double] = [], a: [Double] = [], b: [Double] = []
        return { p, grad in
            if s.isEmpty { (s, a, b) = (zeros(p.count), zeros(p.count), zeros(p.count)) }
            for i in p.indices {
                let g = grad[i] + wd * p[i]
                s[i] = alpha * s[i] + (1 - alpha) * g * g
                a[i] = alpha * a[i] + (1 - alpha) * g
                let d = (centered ? s[i] - a[i] * a[i] : s[i]).squareRoot() + eps
                if momentum > 0 {
                    b[i] = momentum * b[i] + g / d
                    p[i] -= lr * b[i]
                } else {
                    p[i] -= lr * g / d
                }
            }
        }
    }
}

func referenceAdagrad(lr: Double = 1e-2, lrDecay: Double = 0, wd: Double = 0, initial: Double = 0,
                      eps: Double = 1e-10) -> () -> ReferenceStep {
    {
        var sum: [Double] = [], t = 0.0
        return { p, grad in
            if sum.isEmpty { sum = [Double](repeating: initial, count: p.count) }
            t += 1
            let clr = lr / (1 + (t - 1) * lrDecay)
            for i in p.indices {
                let g = grad[i] + wd * p[i]
                sum[i] += g * g
                p[i] -= clr * g / (sum[i].squareRoot() + eps)
            }
        }
    }
}

final class OptimTests: XCTestCase {
    /// Several steps on two parameters with random gradients; a third parameter never
    /// gets a gradient and must stay untouched and stateless.
    private func check(_ label: String, steps: Int = 6, shapes: [[Int]] = [[3, 4], [5]],
                       make: ([Tensor]) throws -> Optimizer, reference: () -> ReferenceStep) throws {
        let params = shapes.enumerated().map { randomTensor($1, seed: 11 + UInt64($0)) }
        let idle = randomTensor([2], seed: 10)
        let idleValues = idle.scalars
        var expected = params.map { $0.scalars.map(Double.init) }
        let references = params.map { _ in reference() }
        let optimizer = try make(params + [idle])
        for s in 0..<steps {
            for (i, p) in params.enumerated() {
                let g = randomTensor(p.shape, seed: 100 + UInt64(10 * s + i), low: -2, high: 2, requiresGrad: false)
                try p.setGrad(g)
                references[i](&expected[i], g.scalars.map(Double.init))
            }
            try optimizer.step()
            for (i, p) in params.enumerated() {
                assertClose(p.scalars, expected[i], rtol: 1e-5, atol: 1e-6, "\(label): step \(s), parameter \(i)")
            }
        }
        XCTAssertEqual(idle.scalars, idleValues, label)
        XCTAssertFalse(optimizer.stateEntries().contains {
            $0.index == params.count && $0.name != "step" && $0.name != "sum"
        }, label)
    }

    func testAdamMatchesReference() throws {
        try check("Adam defaults", make: { try Adam(parameters: $0) }, reference: referenceAdam())
        try check("Adam lr, betas, eps", make: { try Adam(parameters: $0, lr: 0.05, betas: (0.8, 0.95), eps: 1e-3) },
                  reference: referenceAdam(lr: 0.05, b1: 0.8, b2: 0.95, eps: 1e-3))
        try check("Adam weight decay + amsgrad",
                  make: { try Adam(parameters: $0, lr: 0.01, weightDecay: 0.1, amsgrad: true) },
                  reference: referenceAdam(lr: 0.01, wd: 0.1, amsgrad: true))
    }

    func testAdamWMatchesReference() throws {
        try check("AdamW defaults", make: { try AdamW(parameters: $0) }, reference: referenceAdam(wd: 1e-2, decoupled: true))
        try check("AdamW amsgrad", make: { try AdamW(parameters: $0, lr: 0.02, weightDecay: 0.3, amsgrad: true) },
                  reference: referenceAdam(lr: 0.02, wd: 0.3, amsgrad: true, decoupled: true))
    }

    func testRMSpropMatchesReference() throws {
        try check("RMSprop defaults", make: { try RMSprop(parameters: $0) }, reference: referenceRMSprop())
        try check("RMSprop momentum", make: { try RMSprop(parameters: $0, lr: 0.005, momentum: 0.9) },
                  reference: referenceRMSprop(lr: 0.005, momentum: 0.9))
        try check("RMSprop centered", make: { try RMSprop(parameters: $0, alpha: 0.9, eps: 1e-4, centered: true) },
                  reference: referenceRMSprop(alpha: 0.9, eps: 1e-4, centered: true))
        try check("RMSprop everything",
                  make: { try RMSprop(parameters: $0, lr: 0.003, alpha: 0.95, weightDecay: 0.05, momentum: 0.5, centered: true) },
                  reference: referenceRMSprop(lr: 0.003, alpha: 0.95, wd: 0.05, momentum: 0.5, centered: true))
    }

    func testAdagradMatchesReference() throws {
        try check("Adagrad defaults", make: { try Adagrad(parameters: $0) }, reference: referenceAdagrad())
        try check("Adagrad decay, weight decay, accumulator",
                  make: { try Adagrad(parameters: $0, lr: 0.1, lrDecay: 0.2, weightDecay: 0.05, initialAccumulatorValue: 0.5) },
                  reference: referenceAdagrad(lr: 0.1, lrDecay: 0.2, wd: 0.05, initial: 0.5))
    }

    /// Tensors big enough to be split across the thread pool give the same updates.
    func testLargeTensorsMatchReference() throws {
        let shapes = [[300, 300], [70_001]]  // above the 2 × 32768 split threshold
        try check("SGD nesterov, large", steps: 2, shapes: shapes,
                  make: { try SGD(parameters: $0, lr: 0.1, momentum: 0.9, nesterov: true) },
                  reference: {
                      var b: [Double] = []
                      let lr = Double(Float(0.1))  // SGD takes float32 hyperparameters
                      return { p, g in
                          b = b.isEmpty ? g : zip(b, g).map { 0.9 * $0 + $1 }
                          for i in p.indices { p[i] -= lr * (g[i] + 0.9 * b[i]) }
                      }
                  })
        try check("Adam amsgrad, large", steps: 2, shapes: shapes,
                  make: { try Adam(parameters: $0, lr: 0.01, amsgrad: true) },
                  reference: referenceAdam(lr: 0.01, amsgrad: true))
        try check("RMSprop centered, large", steps: 2, shapes: shapes,
                  make: { try RMSprop(parameters: $0, momentum: 0.5, centered: true) },
                  reference: referenceRMSprop(momentum: 0.5, centered: true))
        try check("Adagrad, large", steps: 2, shapes: shapes, make: { try Adagrad(parameters: $0) },
                  reference: referenceAdagrad())
    }

    func testDefaultsAreTorchs() throws {
        let p = [randomTensor([2], seed: 1)]
        let adam = try Adam(parameters: p)
        XCTAssertEqual(adam.hyperparameters, ["lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0,
                                              "maximize": 0])
        XCTAssertFalse(adam.amsgrad)
        XCTAssertEqual(try AdamW(parameters: p).hyperparameter("weight_decay"), 1e-2)
        XCTAssertEqual(try RMSprop(parameters: p).hyperparameters,
                       ["lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "maximize": 0])
        XCTAssertEqual(try Adagrad(parameters: p).hyperparameters,
                       ["lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10,
                        "maximize": 0])
    }

    /// maximize = true with gradient g moves exactly as maximize = false with −g.
    func testMaximizeNegatesTheGradient() throws {
        let makers: [(String, ([Tensor], Bool) throws -> Optimizer)] = [
            ("SGD", { try SGD(parameters: $0, lr: 0.1, momentum: 0.9, weightDecay: 0.1, maximize: $1) }),
            ("Adam", { try Adam(parameters: $0, weightDecay: 0.1, amsgrad: true, maximize: $1) }),
            ("AdamW", { try AdamW(parameters: $0, maximize: $1) }),
            ("RMSprop", { try RMSprop(parameters: $0, weightDecay: 0.1, momentum: 0.5, centered: true, maximize: $1) }),
            ("Adagrad", { try Adagrad(parameters: $0, weightDecay: 0.1, maximize: $1) }),
        ]
        for (name, make) in makers {
            let up = randomTensor([4], seed: 40), down = try up.clonedData()
            let ascending = try make([up], true), descending = try make([down], false)
            XCTAssertTrue(ascending.maximize && !descending.maximize)
            for s in 0..<3 {
                let g = randomTensor([4], seed: 41 + UInt64(s), requiresGrad: false)
                try up.setGrad(g)
                try down.setGrad(try Tensor(shape: [4], scalars: g.scalars.map { -$0 }))
                try ascending.step()
                try descending.step()
                XCTAssertEqual(up.scalars, down.scalars, "\(name) step \(s)")
            }
        }
        assertThrows(.invalidArgument, contains: "maximize", try Adam(parameters: [randomTensor([1], seed: 1)])
            .setHyperparameter("maximize", 2))
    }

    func testHyperparametersChangeBetweenSteps() throws {
        let p = try Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let optimizer = try RMSprop(parameters: [p], lr: 0.1)
        try p.setGrad(try Tensor(shape: [1], scalars: [2]))
        try optimizer.setHyperparameter("lr", 0)
        try optimizer.step()
        XCTAssertEqual(p.scalars, [1], "lr 0 leaves the parameter")
        assertThrows(.invalidArgument, contains: "Invalid learning rate", try optimizer.setHyperparameter("lr", -1))
        assertThrows(.invalidArgument, contains: "no hyperparameter 'beta1'", try optimizer.setHyperparameter("beta1", 0.5))
        let adam = try Adam(parameters: [p])
        assertThrows(.invalidArgument, contains: "beta parameter at index 0", try adam.setHyperparameter("beta1", 1))
        try adam.setHyperparameter("beta1", 0.5)
        XCTAssertEqual(try adam.hyperparameter("beta1"), 0.5)
        XCTAssertTrue(adam.hasHyperparameter("beta2") && !adam.hasHyperparameter("momentum"))
    }

    func testInvalidArguments() {
        let p = [randomTensor([2], seed: 2)]
        assertThrows(.invalidArgument, contains: "empty parameter list", try Adam(parameters: []))
        assertThrows(.invalidArgument, contains: "more than once", try Adam(parameters: p + p))
        assertThrows(.invalidArgument, contains: "Invalid learning rate: -1.0", try Adam(parameters: p, lr: -1))
        assertThrows(.invalidArgument, contains: "Invalid learning rate", try AdamW(parameters: p, lr: .nan))
        assertThrows(.invalidArgument, contains: "index 0", try Adam(parameters: p, betas: (1, 0.999)))
        assertThrows(.invalidArgument, contains: "index 1", try AdamW(parameters: p, betas: (0.9, -0.1)))
        assertThrows(.invalidArgument, contains: "epsilon", try Adam(parameters: p, eps: -1e-8))
        assertThrows(.invalidArgument, contains: "weight_decay", try AdamW(parameters: p, weightDecay: -0.1))
        assertThrows(.invalidArgument, contains: "alpha", try RMSprop(parameters: p, alpha: -0.5))
        assertThrows(.invalidArgument, contains: "momentum", try RMSprop(parameters: p, momentum: -0.5))
        assertThrows(.invalidArgument, contains: "lr_decay", try Adagrad(parameters: p, lrDecay: -1))
        assertThrows(.invalidArgument, contains: "initial_accumulator_value",
                     try Adagrad(parameters: p, initialAccumulatorValue: -1))
        assertThrows(.invalidArgument, contains: "empty parameter list", try SGD(parameters: [], lr: 0.1))
    }

    // MARK: State

    func testStateNamesAndLoadRoundTrip() throws {
        let params = [randomTensor([3], seed: 20), randomTensor([2, 2], seed: 21)]
        let twins = try params.map { try $0.clonedData() }
        let first = try Adam(parameters: params, lr: 0.01, amsgrad: true)
        let grads = [randomTensor([3], seed: 22, requiresGrad: false), randomTensor([2, 2], seed: 23, requiresGrad: false)]
        for (p, g) in zip(params, grads) { try p.setGrad(g) }
        try first.step()
        try first.step()
        XCTAssertEqual(first.stateEntries().map(\.name),
                       ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"])
        XCTAssertEqual(first.state[0]["step"]?.shape, [])
        XCTAssertEqual(try first.state[1]["step"]?.item(), 2)

        // A second optimizer on copies of the parameters, given the state, continues identically.
        let second = try Adam(parameters: twins, lr: 0.01, amsgrad: true)
        for entry in first.stateEntries() { try second.loadState(index: entry.index, name: entry.name, tensor: entry.tensor) }
        for (i, p) in params.enumerated() { try twins[i].assign(p) }
        for (p, g) in zip(twins, grads) { try p.setGrad(g) }
        try first.step()
        try second.step()
        for (p, q) in zip(params, twins) { XCTAssertEqual(p.scalars, q.scalars) }

        assertThrows(.invalidArgument, contains: "no state named 'sum'",
                     try second.loadState(index: 0, name: "sum", tensor: params[0]))
        assertThrows(.invalidArgument, contains: "shape", try second.loadState(index: 0, name: "exp_avg", tensor: params[1]))
        assertThrows(.outOfRange, try second.loadState(index: 2, name: "exp_avg", tensor: params[0]))
        assertThrows(.invalidArgument, contains: "step", try second.loadState(index: 0, name: "step", tensor: Tensor(-1)))
        second.clearState()
        XCTAssertTrue(second.stateEntries().isEmpty)
    }

    func testAdagradStateExistsBeforeTheFirstStep() throws {
        let p = randomTensor([2], seed: 30)
        let optimizer = try Adagrad(parameters: [p], initialAccumulatorValue: 0.25)
        XCTAssertEqual(optimizer.stateEntries().map(\.name), ["step", "sum"])
        XCTAssertEqual(optimizer.state[0]["sum"]?.scalars, [0.25, 0.25])
    }

    func testSGDMomentumBufferIsNamedState() throws {
        let p = try Tensor(shape: [1], scalars: [0], requiresGrad: true)
        let sgd = try SGD(parameters: [p], lr: 0.1, momentum: 0.9)
        try p.setGrad(try Tensor(shape: [1], scalars: [1]))
        try sgd.step()
        XCTAssertEqual(sgd.state[0]["momentum_buffer"]?.scalars, [1])
        try sgd.setHyperparameter("momentum", 0.5)
        try sgd.step()
        XCTAssertEqual(sgd.state[0]["momentum_buffer"]!.scalars[0], 1.5, accuracy: 1e-6)
    }

    // MARK: clip_grad_norm_

    private func withGrads(_ grads: [[Float]?]) throws -> [Tensor] {
        try grads.map { values in
            let p = try Tensor(shape: [values?.count ?? 2], scalars: [Float](repeating: 1, count: values?.count ?? 2),
                               requiresGrad: true)
            if let values { try p.setGrad(try Tensor(shape: [values.count], scalars: values)) }
            return p
        }
    }

    func testClipGradNormL2ScalesEveryGradient() throws {
        let params = try withGrads([[3, -4], nil, [12]])
        let total = try clipGradNorm(params, maxNorm: 6.5)
        XCTAssertEqual(total.shape, [])
        XCTAssertEqual(try total.item(), 13, accuracy: 1e-5)
        let scale = 6.5 / (13 + 1e-6)
        assertClose(params[0].grad!.scalars, [3 * scale, -4 * scale])
        assertClose(params[2].grad!.scalars, [12 * scale])
        XCTAssertNil(params[1].grad)
        // Below the limit: unchanged, and the norm still reported.
        XCTAssertEqual(try clipGradNorm(params, maxNorm: 100).item(), 6.5, accuracy: 1e-5)
        assertClose(params[2].grad!.scalars, [12 * scale])
    }

    func testClipGradNormOtherOrders() throws {
        var params = try withGrads([[1, -5], [2, 0.5, -3]])
        XCTAssertEqual(try clipGradNorm(params, maxNorm: 2.5, normType: .infinity).item(), 5, accuracy: 1e-6)
        assertClose(params[0].grad!.scalars, [0.5, -2.5], rtol: 1e-5)
        params = try withGrads([[1, -5], [2, 0.5, -3]])
        XCTAssertEqual(try clipGradNorm(params, maxNorm: 100, normType: 1).item(), 11.5, accuracy: 1e-5)
        params = try withGrads([[1, -5], [2, 0.5, -3]])
        let p3 = pow(1 + 125 + 8 + 0.125 + 27, 1.0 / 3)
        XCTAssertEqual(Double(try clipGradNorm(params, maxNorm: 1, normType: 3).item()), p3, accuracy: 1e-5)
        assertClose(params[1].grad!.scalars, [2, 0.5, -3].map { $0 / (p3 + 1e-6) })
        params = try withGrads([[0, 0], [2, 0.5, -3]])
        XCTAssertEqual(try clipGradNorm(params, maxNorm: 100, normType: 0).item(), 1, "gradients with a non-zero")
    }

    func testClipGradNormZeroAndMissingGradients() throws {
        let zeros = try withGrads([[0, 0], [0]])
        XCTAssertEqual(try clipGradNorm(zeros, maxNorm: 1).item(), 0)
        XCTAssertEqual(zeros[0].grad!.scalars, [0, 0])
        let none = try withGrads([nil, nil])
        XCTAssertEqual(try clipGradNorm(none, maxNorm: 1).item(), 0)
        XCTAssertEqual(try clipGradNorm([], maxNorm: 1).item(), 0)
    }

    func testClipGradNormNonFinite() throws {
        let params = try withGrads([[.infinity, 1]])
        assertThrows(.runtime, contains: "non-finite", try clipGradNorm(params, maxNorm: 1, errorIfNonfinite: true))
        XCTAssertEqual(params[0].grad!.scalars, [.infinity, 1], "nothing scaled on error")
        XCTAssertEqual(try clipGradNorm(params, maxNorm: 1).item(), .infinity)
        XCTAssertEqual(params[0].grad!.scalars[1], 0)
        let nan = try withGrads([[.nan, 1]])
        XCTAssertTrue(try clipGradNorm(nan, maxNorm: 1, normType: .infinity).item().isNaN)
        assertThrows(.invalidArgument, try clipGradNorm(params, maxNorm: 1, normType: .nan))
    }
}
