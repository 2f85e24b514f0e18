import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// `swiftnn-bench pointwise OP [ELEMENTS]`: best and median GB/s of one pointwise,
/// pooling or normalization op through the Tensor API (what a model step runs),
/// counting each input read once and each output written once. A backward ("_bwd")
/// is timed alone, after an untimed forward.
enum PointwiseBench {
    static let ops = ["relu", "relu_bwd", "add", "mul_scalar", "maxpool", "maxpool_bwd", "bn_relu", "bn_relu_bwd",
                      "gelu", "gelu_bwd", "layernorm", "layernorm_bwd", "softmax", "dropout"]

    /// Best and median of `runs` timings of `body` (after one warm-up call); `setup`
    /// runs untimed before each call and hands it its argument.
    static func times<T>(runs: Int = 15, setup: () throws -> T, _ body: (T) throws -> Void) rethrows
        -> (best: Double, median: Double) {
        try body(try setup())
        var samples: [Double] = []
        for _ in 0..<runs {
            let argument = try setup()
            let start = seconds()
            try body(argument)
            samples.append(seconds() - start)
        }
        samples.sort()
        return (samples[0], samples[runs / 2])
    }

    static func run(_ args: [String]) throws {
        guard let op = args.first, ops.contains(op) else {
            fputs("usage: swiftnn-bench pointwise \(ops.joined(separator: "|")) [NxCxHxW]\n", stderr)
            exit(2)
        }
        // [N, C, H, W] = [128, 64, 32, 32] by default (VGG11's and normal_CNN's activation sizes),
        // or N×C×H×W as given.
        let given = args.count > 1 ? args[1].split(separator: "x").compactMap { Int($0) } : []
        let shape = given.count == 4 ? given : [128, 64, 32, 32]
        let count = shape.reduce(1, *)
        let bytes = Double(count) * 4
        manualSeed(0)
        let x = try Tensor.randn(shape, requiresGrad: op.hasSuffix("_bwd"))
        let (forward, traffic) = try body(op, x, shape)
        let t: (best: Double, median: Double)
        if op.hasSuffix("_bwd") {
            // The backward alone: a fresh graph from an untimed forward each time. Its
            // traffic includes copying dx into x.grad (x is a leaf), counted as 2 more.
            let g = try Tensor.randn(try forward().shape)
            t = try times(setup: { () throws -> Tensor in
                try x.setGrad(nil)
                return try forward()
            }) { try $0.backward(g) }
        } else {
            t = try times(setup: {}) { _ = try forward() }
        }
        print(traffic * bytes / t.best / 1e9, traffic * bytes / t.median / 1e9)
    }

    /// The forward of `op` and its memory traffic in tensor-sizes (the backward's when "_bwd").
    static func body(_ op: String, _ x: Tensor, _ shape: [Int]) throws -> (() throws -> Tensor, Double) {
        let channels = shape[1]
        let other = try Tensor.randn(shape)
        let mean = try Tensor.zeros([channels]), variance = try Tensor.ones([channels])
        let weight = try Tensor.randn([channels]), bias = try Tensor.randn([channels])
        let rowShape = [x.count / 128, 128]  // needs a multiple of 128 elements
        let lnWeight = try Tensor.randn([128]), lnBias = try Tensor.randn([128])
        switch op {
        case "relu": return ({ try x.relu() }, 2)
        case "relu_bwd": return ({ try x.relu() }, 5)  // g, y -> dx; dx -> x.grad
        case "add": return ({ try x + other }, 3)
        case "mul_scalar": return ({ try x * 2 }, 2)
        case "maxpool": return ({ try x.maxPool2d(kernel: Pair(2)) }, 1.25)
        case "maxpool_bwd": return ({ try x.maxPool2d(kernel: Pair(2)) }, 3.25)  // gy -> gx; gx -> x.grad
        case "bn_relu", "bn_relu_bwd":
            let f = {
                try Tensor.batchNormReLU([x], runningMean: mean, runningVar: variance, weight: weight, bias: bias,
                                         training: true)
            }
            return (f, op == "bn_relu" ? 2 : 6)  // x -> y; g, y, x -> dx; dx -> x.grad
        case "gelu": return ({ try x.gelu() }, 2)
        case "gelu_bwd": return ({ try x.gelu() }, 5)
        case "layernorm", "layernorm_bwd":
            let f = { try x.reshape(rowShape).layerNorm(normalizedShape: [128], weight: lnWeight, bias: lnBias) }
            return (f, op == "layernorm" ? 2 : 5)
        case "dropout": return ({ try x.dropout(p: 0.2, training: true) }, 2)
        case "softmax": return ({ try x.reshape([x.count / 16, 16]).logSoftmax(dim: 1) }, 2)
        default: fatalError("unknown op \(op)")
        }
    }
}
