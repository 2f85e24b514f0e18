import XCTest
@testable import SwiftNN

/// The zoo models run BN + ReLU fused and DenseNet without concatenating its features;
/// these tests rebuild their forward from the separate ops, the way the reference code
/// writes it, and require the same outputs, gradients and running statistics in
/// training mode (the eval-mode logits are checked against NumPy in pytest).
final class FusedModelTests: XCTestCase {
    private func child<T>(_ module: Module, _ name: String) -> T { module.namedChildren.first { $0.name == name }!.module as! T }

    /// DenseNet as the reference writes it: cat after every bottleneck, BN then ReLU.
    private func referenceDenseNet(_ model: DenseNet, _ input: Tensor) throws -> Tensor {
        var x = try (child(model, "conv1") as Conv2d)(input)
        for (name, module) in model.namedChildren {
            if let block = module as? DenseBlockModule {
                for case let layer as DenseBottleneck in block.layer.layers {
                    var out = try layer.conv1(layer.bn1(x).relu())
                    if layer.dropRate > 0 { out = try layer.dropout(out) }
                    out = try layer.conv2(layer.bn2(out).relu())
                    if layer.dropRate > 0 { out = try layer.dropout(out) }
                    x = try Tensor.cat([x, out], dim: 1)
                }
            } else if let transition = module as? DenseTransition {
                var out = try transition.conv1(transition.bn1(x).relu())
                if transition.dropRate > 0 { out = try transition.dropout(out) }
                x = try out.avgPool2d(kernel: Pair(2), stride: Pair(2))
            } else if name == "bn1" {
                x = try (module as! BatchNorm2d)(x).relu().adaptiveAvgPool2d(outputSize: (1, 1)).flatten(startDim: 1)
            }
        }
        return try (child(model, "fc") as Linear)(x)
    }

    /// A copy of the model's state, to restart every run from.
    private func snapshot(_ model: Module) throws -> [(name: String, tensor: Tensor)] {
        try model.stateDict().map { ($0.name, try $0.tensor.clonedData()) }
    }

    /// Runs `forward` on a fresh copy of the model's state and returns (output, parameter
    /// gradients, running statistics after the step) for L = Σ output·R.
    private func step(_ model: Module, _ state: [(name: String, tensor: Tensor)], _ input: Tensor, seed: UInt64,
                      _ forward: (Tensor) throws -> Tensor) throws -> (out: [Float], grads: [[Float]], stats: [[Float]]) {
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: state.map { ($0.name, try $0.tensor.clonedData()) }))
        model.zeroGrad()
        manualSeed(seed)
        let out = try forward(input)
        try out.backward(randomTensor(out.shape, seed: 77, requiresGrad: false))
        return (out.scalars, model.parameters().map { $0.grad?.scalars ?? [] }, model.namedBuffers().map(\.tensor.scalars))
    }

    private func assertSame(_ a: (out: [Float], grads: [[Float]], stats: [[Float]]),
                            _ b: (out: [Float], grads: [[Float]], stats: [[Float]]), _ label: String) {
        assertClose(a.out, b.out.map(Double.init), rtol: 1e-4, atol: 1e-5, "\(label) output")
        XCTAssertEqual(a.grads.count, b.grads.count)
        // Absolute slack relative to the largest gradient: some are exactly 0 in theory (a
        // conv bias before BN) and only rounding noise in practice.
        let scale = b.grads.joined().map { Double(abs($0)) }.max() ?? 0
        for (i, (ga, gb)) in zip(a.grads, b.grads).enumerated() {
            assertClose(ga, gb.map(Double.init), rtol: 1e-3, atol: 1e-5 * scale, "\(label) gradient \(i)")
        }
        for (sa, sb) in zip(a.stats, b.stats) { assertClose(sa, sb.map(Double.init), rtol: 1e-4, atol: 1e-6, "\(label) stats") }
    }

    func testDenseNetTrainingMatchesConcatenatingReference() throws {
        for config in [#"{"layers": 16, "growth_rate": 4, "num_classes": 5}"#,
                       #"{"layers": 23, "growth_rate": 3, "compression_factor": 0.7, "drop_rate": 0}"#] {
            manualSeed(3)
            let model = try Zoo.make("Densenet", config: config) as! DenseNet
            let state = try snapshot(model)
            let x = randomTensor([3, 3, 8, 8], seed: 9, requiresGrad: false)
            let fused = try step(model, state, x, seed: 21) { try model($0) }
            let reference = try step(model, state, x, seed: 21) { try self.referenceDenseNet(model, $0) }
            assertSame(fused, reference, config)
        }
    }

    func testDenseNetEvalPoolsBeforeTheTransitionConvolution() throws {
        manualSeed(4)
        let model = try Zoo.make("Densenet", config: #"{"layers": 16, "growth_rate": 4}"#) as! DenseNet
        _ = try model(randomTensor([4, 3, 8, 8], seed: 10, requiresGrad: false))  // non-trivial running statistics
        model.eval()
        let x = randomTensor([2, 3, 8, 8], seed: 11, requiresGrad: false)
        let fast = try withNoGrad { try model(x) }
        let reference = try withNoGrad { try referenceDenseNet(model, x) }
        assertClose(fast.scalars, reference.scalars.map(Double.init), rtol: 1e-4, atol: 1e-5)
    }

    func testDenseBlocksStandAlone() throws {
        manualSeed(5)
        let layer = try DenseBottleneck(6, growth: 3, dropRate: 0)
        let x = randomTensor([2, 6, 5, 5], seed: 12)
        let y = try layer(x)
        XCTAssertEqual(y.shape, [2, 9, 5, 5])
        let reference = try Tensor.cat([x, layer.conv2(layer.bn2(layer.conv1(layer.bn1(x).relu())).relu())], dim: 1)
        assertClose(y.scalars, reference.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6)
    }

    /// ResNet blocks end in bn3.withReLU(conv3(...), adding: shortcut): the same as BN, add, ReLU.
    func testResNetBlocksMatchSeparateOps() throws {
        manualSeed(6)
        let bottleneck = try Bottleneck(8, 4, stride: 2)
        let basic = try BasicBlock(6, 6)
        let bottleneckState = try snapshot(bottleneck), basicState = try snapshot(basic)
        let x8 = randomTensor([2, 8, 6, 6], seed: 13, requiresGrad: false)
        let x6 = randomTensor([2, 6, 5, 5], seed: 14, requiresGrad: false)
        let a = try step(bottleneck, bottleneckState, x8, seed: 1) { try bottleneck($0) }
        let b = try step(bottleneck, bottleneckState, x8, seed: 1) { x in
            var out = try bottleneck.bn1(bottleneck.conv1(x)).relu()
            out = try bottleneck.bn2(bottleneck.conv2(out)).relu()
            return try bottleneck.bn3(bottleneck.conv3(out)).adding(bottleneck.shortcut(x)).relu()
        }
        assertSame(a, b, "bottleneck")
        let c = try step(basic, basicState, x6, seed: 1) { try basic($0) }
        let d = try step(basic, basicState, x6, seed: 1) { x in
            try basic.bn2(basic.conv2(basic.bn1(basic.conv1(x)).relu())).adding(basic.shortcut(x)).relu()
        }
        assertSame(c, d, "basic block")
    }

    /// Sequential fuses a BatchNorm followed by a ReLU and still traces both layers.
    func testSequentialFusesBatchNormAndReLU() throws {
        manualSeed(7)
        let model = Sequential(try Conv2d(3, 4, kernelSize: Pair(3)), try BatchNorm2d(4), ReLU(), try Conv2d(4, 2, kernelSize: Pair(1)))
        let x = randomTensor([2, 3, 6, 6], seed: 15, requiresGrad: false)
        let layers = model.layers, modelState = try snapshot(model)
        let a = try step(model, modelState, x, seed: 1) { try model($0) }
        let b = try step(model, modelState, x, seed: 1) { try layers[3](layers[2](layers[1](layers[0]($0)))) }
        assertSame(a, b, "sequential")
        let rows = try ForwardTrace.run(model, x).rows
        XCTAssertEqual(rows.map(\.typeName), ["Conv2d", "BatchNorm2d", "ReLU", "Conv2d"])
        XCTAssertEqual(rows[2].shape, [2, 4, 4, 4])
    }
}
