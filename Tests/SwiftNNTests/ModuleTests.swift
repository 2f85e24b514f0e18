import XCTest
@testable import SwiftNN

final class ModuleTests: XCTestCase {
    // MARK: Linear initialisation

    func testLinearInitBoundsAndShapes() throws {
        manualSeed(3)
        for (inF, outF) in [(1, 1), (7, 17), (17, 7), (300, 20)] {
            let layer = try Linear(inF, outF)
            XCTAssertEqual(layer.weight.shape, [outF, inF])
            XCTAssertEqual(layer.bias?.shape, [outF])
            let bound = 1 / Float(inF).squareRoot()
            for v in layer.weight.scalars + layer.bias!.scalars {
                XCTAssertTrue(v >= -bound && v <= bound, "\(v) outside ±\(bound) for in=\(inF)")
            }
            XCTAssertTrue(layer.weight.requiresGrad && layer.bias!.requiresGrad)
            XCTAssertTrue(layer.weight.isLeaf)
            if inF * outF >= 100 {
                // Uniform, not squeezed into a corner: spread close to the full ±bound.
                let w = layer.weight.scalars
                XCTAssertGreaterThan(w.max()!, 0.8 * bound)
                XCTAssertLessThan(w.min()!, -0.8 * bound)
                let mean = w.reduce(0, +) / Float(w.count)
                XCTAssertEqual(mean, 0, accuracy: 0.15 * bound)
            }
        }
        let noBias = try Linear(4, 3, bias: false)
        XCTAssertNil(noBias.bias)
        XCTAssertEqual(noBias.stateDict().map(\.name), ["weight"])
        assertThrows(.invalidArgument, try Linear(-1, 3))
    }

    func testLinearDeterministicUnderManualSeed() throws {
        manualSeed(1234)
        let a = try Linear(5, 4)
        manualSeed(1234)
        let b = try Linear(5, 4)
        XCTAssertEqual(a.weight.scalars, b.weight.scalars)
        XCTAssertEqual(a.bias!.scalars, b.bias!.scalars)
        let c = try Linear(5, 4)
        XCTAssertNotEqual(a.weight.scalars, c.weight.scalars, "the generator advances")
        manualSeed(1235)
        XCTAssertNotEqual(try Linear(5, 4).weight.scalars, a.weight.scalars)
        // Whole models too.
        manualSeed(9)
        let m1 = try MLPnet(inputSize: 12, classes: 3)
        manualSeed(9)
        let m2 = try MLPnet(inputSize: 12, classes: 3)
        for (p, q) in zip(m1.stateDict(), m2.stateDict()) { XCTAssertEqual(p.tensor.scalars, q.tensor.scalars, p.name) }
    }

    func testLinearForwardMatchesOp() throws {
        manualSeed(5)
        let layer = try Linear(4, 3)
        let x = randomTensor([2, 4], seed: 400, requiresGrad: false)
        let expected = try x.linear(weight: layer.weight, bias: layer.bias)
        XCTAssertEqual(try layer(x).scalars, expected.scalars)
        XCTAssertEqual(try layer(randomTensor([2, 5, 4], seed: 401, requiresGrad: false)).shape, [2, 5, 3])
        assertThrows(.invalidArgument, try layer(randomTensor([2, 5], seed: 402, requiresGrad: false)))
    }

    // MARK: State dict

    func testMLPnetStateDictKeysAndParameterCount() throws {
        let model = try MLPnet()
        XCTAssertEqual(model.stateDict().map(\.name),
                       ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
        XCTAssertEqual(model.stateDict().map(\.tensor.shape), [[128, 3072], [128], [64, 128], [64], [10, 64], [10]])
        XCTAssertEqual(model.parameters().reduce(0) { $0 + $1.count }, 402_250)
        XCTAssertEqual(model.namedParameters().map(\.name), model.stateDict().map(\.name))
        XCTAssertTrue(model.namedBuffers().isEmpty)
        XCTAssertEqual(model.namedChildren.map(\.name), ["fc1", "fc2", "dropout", "fc3"])
        let out = try model(randomTensor([2, 3, 32, 32], seed: 403, requiresGrad: false))
        XCTAssertEqual(out.shape, [2, 10])
    }

    func testStateDictOrderParametersThenBuffersDepthFirst() throws {
        final class Block: Module {
            let lin: Linear
            init(features: Int) throws {
                lin = try Linear(features, features)
                super.init()
                registerParameter("scale", try Tensor.ones([2]))
                registerBuffer("running", try Tensor.zeros([2]))
                registerModule("lin", lin)
            }
        }
        let outer = Sequential(try Block(features: 2), ReLU(), try Block(features: 2))
        XCTAssertEqual(outer.stateDict().map(\.name),
                       ["0.scale", "0.running", "0.lin.weight", "0.lin.bias", "2.scale", "2.running", "2.lin.weight", "2.lin.bias"])
        XCTAssertEqual(outer.namedParameters().map(\.name),
                       ["0.scale", "0.lin.weight", "0.lin.bias", "2.scale", "2.lin.weight", "2.lin.bias"])
        XCTAssertEqual(outer.namedBuffers().map(\.name), ["0.running", "2.running"])
        XCTAssertFalse(outer.namedBuffers()[0].tensor.requiresGrad)
    }

    func testSharedParameterListedOnce() throws {
        let shared = try Linear(3, 3)
        let model = Sequential(shared, ReLU(), shared)
        XCTAssertEqual(model.parameters().count, 2)
        XCTAssertEqual(model.stateDict().count, 4, "the state dict lists every path, as PyTorch")
    }

    func testReplaceParameter() throws {
        let layer = try Linear(2, 3)
        let w = try Tensor.ones([3, 2])
        try layer.replaceParameter("weight", with: w)
        XCTAssertTrue(layer.weight === w)
        XCTAssertTrue(w.requiresGrad)
        XCTAssertEqual(layer.stateDict().map(\.name), ["weight", "bias"], "order kept")
        assertThrows(.invalidArgument, try layer.replaceParameter("gamma", with: w))
    }

    func testLoadStateDictRoundTrip() throws {
        manualSeed(10)
        let a = try MLPnet(inputSize: 6, classes: 3)
        manualSeed(11)
        let b = try MLPnet(inputSize: 6, classes: 3)
        let identities = b.parameters().map(ObjectIdentifier.init)
        var state: [String: Tensor] = [:]
        for (k, v) in a.stateDict() { state[k] = try v.clonedData() }
        try b.loadStateDict(state)
        for (p, q) in zip(a.stateDict(), b.stateDict()) { XCTAssertEqual(p.tensor.scalars, q.tensor.scalars, p.name) }
        XCTAssertEqual(b.parameters().map(ObjectIdentifier.init), identities, "loading copies into the existing tensors")
        XCTAssertTrue(b.parameters().allSatisfy(\.requiresGrad))
        a.eval(); b.eval()
        let x = randomTensor([2, 6], seed: 404, requiresGrad: false)
        XCTAssertEqual(try a(x).scalars, try b(x).scalars)
    }

    func testLoadStateDictReportsEverythingAndChangesNothing() throws {
        manualSeed(12)
        let model = try MLPnet(inputSize: 6, classes: 3)
        let before = model.stateDict().map { $0.tensor.scalars }
        var state: [String: Tensor] = [:]
        for (k, v) in model.stateDict() { state[k] = try Tensor.full(v.shape, value: 7) }
        state["fc3.bias"] = nil                               // missing
        state["fc4.weight"] = try Tensor.zeros([2, 2])        // unexpected
        state["fc2.weight"] = try Tensor.zeros([64, 127])     // shape mismatch
        do {
            try model.loadStateDict(state)
            XCTFail("loadStateDict accepted a bad state dict")
        } catch let error as SwiftNNError {
            XCTAssertEqual(error.kind, .invalidArgument)
            let message = error.description
            XCTAssertTrue(message.contains("fc3.bias"), message)
            XCTAssertTrue(message.contains("fc4.weight"), message)
            XCTAssertTrue(message.contains("fc2.weight"), message)
            XCTAssertTrue(message.contains("missing"), message)
            XCTAssertTrue(message.contains("unexpected"), message)
            XCTAssertTrue(message.contains("size mismatch"), message)
        }
        XCTAssertEqual(model.stateDict().map { $0.tensor.scalars }, before, "a failed load must leave the model unchanged")
        // strict: false tolerates missing/unexpected keys but not shape mismatches.
        assertThrows(.invalidArgument, try model.loadStateDict(state, strict: false))
        XCTAssertEqual(model.stateDict().map { $0.tensor.scalars }, before)
        state["fc2.weight"] = try Tensor.full([64, 128], value: 7)
        try model.loadStateDict(state, strict: false)
        XCTAssertEqual(model.fc1.weight.scalars, [Float](repeating: 7, count: 128 * 6))
        XCTAssertEqual(model.fc3.bias!.scalars, before[5], "the missing key is left alone")
    }

    // MARK: Modes

    func testTrainEvalPropagation() throws {
        let inner = Sequential(try Dropout(p: 0.5), ReLU())
        let model = Sequential(try Linear(2, 2), inner)
        XCTAssertTrue(model.training && inner.training && inner.layers[0].training)
        model.eval()
        XCTAssertFalse(model.training || inner.training || inner.layers[0].training || model.layers[0].training)
        model.train()
        XCTAssertTrue(model.training && inner.layers[0].training)
        model.train(false)
        XCTAssertFalse(inner.layers[0].training)
        // Dropout in MLPnet: eval is deterministic, training is not.
        manualSeed(13)
        let net = try MLPnet(inputSize: 8, classes: 4)
        let x = randomTensor([3, 8], seed: 405, requiresGrad: false)
        net.eval()
        XCTAssertEqual(try net(x).scalars, try net(x).scalars)
        net.train()
        manualSeed(1)
        let t1 = try net(x).scalars
        manualSeed(2)
        let t2 = try net(x).scalars
        XCTAssertNotEqual(t1, t2)
    }

    // MARK: Sequential and descriptions

    func testSequentialNamingAndForward() throws {
        manualSeed(14)
        let l1 = try Linear(3, 4), l2 = try Linear(4, 2)
        let seq = Sequential(l1, ReLU(), l2)
        XCTAssertEqual(seq.namedChildren.map(\.name), ["0", "1", "2"])
        XCTAssertEqual(seq.stateDict().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(seq.layers.count, 3)
        let x = randomTensor([5, 3], seed: 406, requiresGrad: false)
        let manual = try l2(l1(x).relu())
        XCTAssertEqual(try seq(x).scalars, manual.scalars)
        let empty = Sequential([])
        XCTAssertEqual(try empty(x).scalars, x.scalars)
    }

    func testDescriptions() throws {
        XCTAssertEqual(try Linear(3, 2).description, "Linear(in_features=3, out_features=2, bias=True)")
        XCTAssertEqual(try Linear(3, 2, bias: false).description, "Linear(in_features=3, out_features=2, bias=False)")
        XCTAssertEqual(ReLU().description, "ReLU()")
        XCTAssertEqual(try Dropout(p: 0.25).description, "Dropout(p=0.25, inplace=False)")
        XCTAssertEqual(Flatten().description, "Flatten(start_dim=1, end_dim=-1)")
        XCTAssertEqual(Softmax(dim: 1).description, "Softmax(dim=1)")
        XCTAssertEqual(Sequential(try Linear(2, 3), ReLU()).description, """
            Sequential(
              (0): Linear(in_features=2, out_features=3, bias=True)
              (1): ReLU()
            )
            """)
        XCTAssertEqual(try MLPnet().description, """
            MLPnet(
              (fc1): Linear(in_features=3072, out_features=128, bias=True)
              (fc2): Linear(in_features=128, out_features=64, bias=True)
              (dropout): Dropout(p=0.5, inplace=False)
              (fc3): Linear(in_features=64, out_features=10, bias=True)
            )
            """)
        XCTAssertEqual(Sequential(Sequential(ReLU()), Tanh()).description, """
            Sequential(
              (0): Sequential(
                (0): ReLU()
              )
              (1): Tanh()
            )
            """)
    }

    func testActivationModules() throws {
        let x = randomTensor([2, 3], seed: 407, requiresGrad: false)
        XCTAssertEqual(try ReLU()(x).scalars, try x.relu().scalars)
        XCTAssertEqual(try Sigmoid()(x).scalars, try x.sigmoid().scalars)
        XCTAssertEqual(try Tanh()(x).scalars, try x.tanh().scalars)
        XCTAssertEqual(try Softmax(dim: 1)(x).scalars, try x.softmax(dim: 1).scalars)
        XCTAssertEqual(try LogSoftmax(dim: 0)(x).scalars, try x.logSoftmax(dim: 0).scalars)
        XCTAssertEqual(try Identity()(x).scalars, x.scalars)
        XCTAssertEqual(try Flatten()(Tensor.zeros([2, 3, 4])).shape, [2, 12])
        assertThrows(.invalidArgument, try Dropout(p: 2))
        assertThrows(.runtime, try Module()(x))
    }

    // MARK: Losses as structs

    func testLossStructs() throws {
        let logits = randomTensor([4, 3], seed: 408, requiresGrad: false)
        let targets = [0, 2, 1, 2]
        XCTAssertEqual(try CrossEntropyLoss()(logits, targets).scalars, try logits.crossEntropy(targets: targets).scalars)
        let custom = CrossEntropyLoss(reduction: .sum, labelSmoothing: 0.1, ignoreIndex: 1)
        XCTAssertEqual(try custom(logits, targets).scalars,
                       try logits.crossEntropy(targets: targets, reduction: .sum, labelSmoothing: 0.1, ignoreIndex: 1).scalars)
        let defaults = CrossEntropyLoss()
        XCTAssertEqual(defaults.reduction, .mean)
        XCTAssertEqual(defaults.labelSmoothing, 0)
        XCTAssertEqual(defaults.ignoreIndex, -100)
        let probs = try randomTensor([4, 3], seed: 409, requiresGrad: false).softmax(dim: 1)
        XCTAssertEqual(try CrossEntropyLoss(reduction: .none)(logits, probabilities: probs).scalars,
                       try logits.crossEntropy(probabilities: probs, reduction: .none).scalars)
        let y = randomTensor([4, 3], seed: 410, requiresGrad: false)
        XCTAssertEqual(try MSELoss()(logits, y).scalars, try logits.mseLoss(y).scalars)
        XCTAssertEqual(try MSELoss(reduction: .sum)(logits, y).scalars, try logits.mseLoss(y, reduction: .sum).scalars)
        XCTAssertEqual(MSELoss().reduction, .mean)
        assertThrows(.outOfRange, try CrossEntropyLoss()(logits, [0, 3, 1, 2]))
    }
}

// MARK: - SGD

final class SGDTests: XCTestCase {
    /// PyTorch's `torch.optim.SGD` update for one parameter, written out plainly.
    private struct ReferenceSGD {
        let lr: Float, momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool
        var buffer: [Float]? = nil

        mutating func step(_ p: inout [Float], _ grad: [Float]) {
            var d = zip(grad, p).map { $0 + weightDecay * $1 }
            if momentum != 0 {
                if let b = buffer {
                    buffer = zip(b, d).map { momentum * $0 + (1 - dampening) * $1 }
                } else {
                    buffer = d
                }
                d = nesterov ? zip(d, buffer!).map { $0 + momentum * $1 } : buffer!
            }
            p = zip(p, d).map { $0 - lr * $1 }
        }
    }

    func testMatchesPyTorchFormulasOverThreeSteps() throws {
        let configs: [(lr: Float, momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool)] = [
            (0.1, 0, 0, 0, false),
            (0.1, 0, 0, 0.01, false),
            (0.05, 0.9, 0, 0, false),
            (0.05, 0.9, 0.3, 0, false),
            (0.05, 0.9, 0, 0, true),
            (0.02, 0.8, 0.1, 0.05, false),
            (0.02, 0.8, 0, 0.05, true),
        ]
        for (ci, c) in configs.enumerated() {
            let w = randomTensor([3, 2], seed: UInt64(500 + ci))
            let b = randomTensor([2], seed: UInt64(600 + ci))
            let untouched = randomTensor([2], seed: UInt64(650 + ci))   // never gets a grad
            let opt = try SGD(parameters: [w, b, untouched], lr: Double(c.lr), momentum: Double(c.momentum),
                              dampening: Double(c.dampening), weightDecay: Double(c.weightDecay), nesterov: c.nesterov)
            var refW = ReferenceSGD(lr: c.lr, momentum: c.momentum, dampening: c.dampening, weightDecay: c.weightDecay, nesterov: c.nesterov)
            var refB = refW
            var pw = w.scalars, pb = b.scalars
            let untouchedBefore = untouched.scalars
            for step in 0..<3 {
                // Gradients from a real loss, different at every step.
                let x = randomTensor([4, 3], seed: UInt64(700 + 10 * ci + step), requiresGrad: false)
                opt.zeroGrad()
                let loss = try (x.matmul(w) + b).tanh().sum()
                try loss.backward()
                let gw = w.grad!.scalars, gb = b.grad!.scalars
                try opt.step()
                refW.step(&pw, gw)
                refB.step(&pb, gb)
                assertClose(w.scalars, pw, rtol: 1e-6, atol: 1e-7, "config \(ci) step \(step) weight")
                assertClose(b.scalars, pb, rtol: 1e-6, atol: 1e-7, "config \(ci) step \(step) bias")
            }
            XCTAssertEqual(untouched.scalars, untouchedBefore, "a parameter without grad is not updated")
        }
    }

    func testHandComputedMomentumSteps() throws {
        // p = 1, grad = 1 each step, lr 0.1, momentum 0.9:
        // buf 1 → p 0.9; buf 1.9 → p 0.71; buf 2.71 → p 0.439
        let p = try Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let opt = try SGD(parameters: [p], lr: 0.1, momentum: 0.9)
        var expected: [Float] = []
        for _ in 0..<3 {
            try p.setGrad(tensor([1], [1]))
            try opt.step()
            expected.append(p.scalars[0])
        }
        assertClose(expected, [0.9, 0.71, 0.439] as [Double], rtol: 1e-6)
    }

    func testLearningRateCanChange() throws {
        let p = try Tensor(shape: [1], scalars: [1], requiresGrad: true)
        let opt = try SGD(parameters: [p], lr: 0.1)
        try p.setGrad(tensor([1], [1]))
        opt.learningRate = 0.5
        try opt.step()
        assertClose(p.scalars, [0.5] as [Double])
    }

    func testInvalidArgumentsThrow() throws {
        let p = try Tensor.zeros([2], requiresGrad: true)
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: -0.1))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: .nan))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: .infinity))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: 0.1, momentum: -0.5))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: 0.1, weightDecay: -1))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: 0.1, nesterov: true))
        assertThrows(.invalidArgument, try SGD(parameters: [p], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true))
        assertThrows(.invalidArgument, try SGD(parameters: [p, p], lr: 0.1))
        XCTAssertNoThrow(try SGD(parameters: [p], lr: 0))
    }

    func testTrainingReducesLoss() throws {
        manualSeed(21)
        let model = Sequential(try Linear(4, 8), ReLU(), try Linear(8, 3))
        let x = randomTensor([16, 4], seed: 800, requiresGrad: false)
        // A learnable rule: the class is the index of the largest of the first three features.
        let targets = (0..<16).map { r in (0..<3).max { x.scalars[r * 4 + $0] < x.scalars[r * 4 + $1] }! }
        let opt = try SGD(parameters: model.parameters(), lr: 0.1, momentum: 0.9)
        let lossFn = CrossEntropyLoss()
        let first = try lossFn(model(x), targets).item()
        for _ in 0..<50 {
            opt.zeroGrad()
            try lossFn(model(x), targets).backward()
            try opt.step()
        }
        let last = try lossFn(model(x), targets).item()
        XCTAssertLessThan(last, 0.5 * first)
    }
}
