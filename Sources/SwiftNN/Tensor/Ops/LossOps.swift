#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a loss folds per-element values: PyTorch's `reduction` argument.
public enum Reduction: String, CaseIterable {
    case none, mean, sum
}

extension Tensor {
    /// Cross-entropy of logits against class indices (`F.cross_entropy`).
    ///
    /// The input is [N, C] or [N, C, d1, ...] with `targets` holding N·d1·... class
    /// indices; `ignoreIndex` targets contribute nothing and are left out of the
    /// mean. With label smoothing ε the target distribution is (1−ε)·onehot + ε/C.
    public func crossEntropy(targets: [Int], reduction: Reduction = .mean,
                             labelSmoothing: Float = 0, ignoreIndex: Int = -100) throws -> Tensor {
        guard rank >= 2 else {
            throw SwiftNNError.invalidArgument("cross_entropy: expected input of shape [N, C] or [N, C, d1, ...], got \(describe(shape))")
        }
        guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
            throw SwiftNNError.invalidArgument("label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
        }
        let (outer, classes, inner) = try axisLayout(1)
        guard targets.count == outer * inner else {
            throw SwiftNNError.invalidArgument(
                "cross_entropy: input of shape \(describe(shape)) needs \(outer * inner) targets, got \(targets.count)")
        }
        for t in targets where t != ignoreIndex && (t < 0 || t >= classes) {
            throw SwiftNNError.outOfRange("cross_entropy: target \(t) is out of bounds for \(classes) classes")
        }
        let logProbs = try Tensor(uninitializedShape: shape)
        SoftmaxKernel.forward(data, logProbs.data, outer: outer, size: classes, inner: inner, log: true)
        let onTarget = 1 - labelSmoothing, uniform = labelSmoothing / Float(classes)
        var perSample = [Float](repeating: 0, count: targets.count)
        var counted = 0
        for o in 0..<outer {
            for i in 0..<inner where targets[o * inner + i] != ignoreIndex {
                let row = logProbs.data + o * classes * inner + i
                var smooth: Float = 0
                if uniform != 0 { for c in 0..<classes { smooth += row[c * inner] } }
                perSample[o * inner + i] = -onTarget * row[targets[o * inner + i] * inner] - uniform * smooth
                counted += 1
            }
        }
        let out = try reduced(perSample, shape: [outer] + Array(shape[2...]), reduction: reduction, count: counted)
        let input = self
        return out.recording("CrossEntropyBackward", inputs: [self], saving: []) { g, _ in
            // d loss_j / d z = softmax(z) − target distribution, times the upstream gradient.
            let dx = try Tensor(uninitializedShape: input.shape)
            for o in 0..<outer {
                for i in 0..<inner {
                    let j = o * inner + i
                    let base = o * classes * inner + i
                    let weight: Float = targets[j] == ignoreIndex ? 0
                        : reduction == .none ? g.data[j] : reduction == .sum ? g.data[0] : g.data[0] / Float(counted)
                    for c in 0..<classes {
                        let p = expf(logProbs.data[base + c * inner])
                        let t = (c == targets[j] ? onTarget : 0) + uniform
                        dx.data[base + c * inner] = weight * (p - t)
                    }
                }
            }
            return [dx]
        }
    }

    /// Cross-entropy against class probabilities of the same shape as the input.
    public func crossEntropy(probabilities target: Tensor, reduction: Reduction = .mean,
                             labelSmoothing: Float = 0) throws -> Tensor {
        guard rank >= 2, target.shape == shape else {
            throw SwiftNNError.invalidArgument(
                "cross_entropy: probability targets must have the input's shape [N, C, ...]; got input \(describe(shape)) and target \(describe(target.shape))")
        }
        guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
            throw SwiftNNError.invalidArgument("label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
        }
        let classes = Float(shape[1])
        // Built from recorded ops so a target that requires grad gets one.
        let smoothed = labelSmoothing == 0 ? target
            : try target.multiplying(Tensor(1 - labelSmoothing)).adding(Tensor(labelSmoothing / classes))
        let perPosition = try logSoftmax(dim: 1).multiplying(smoothed).sum(dims: [1]).negated()
        switch reduction {
        case .none: return perPosition
        case .sum: return try perPosition.sum()
        case .mean: return try perPosition.mean()  // over N·d1·..., as PyTorch
        }
    }

    /// Mean squared error (`F.mse_loss`); shapes must match.
    public func mseLoss(_ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        guard target.shape == shape else {
            throw SwiftNNError.invalidArgument(
                "mse_loss: input of shape \(describe(shape)) and target of shape \(describe(target.shape)) must match")
        }
        let diff = try subtracting(target)
        let squared = try diff.multiplying(diff)
        switch reduction {
        case .none: return squared
        case .sum: return try squared.sum()
        case .mean: return try squared.mean()
        }
    }
}

/// Folds per-sample losses by `reduction`; `count` is the number of samples that
/// count towards a mean (ignored targets excluded).
private func reduced(_ values: [Float], shape: [Int], reduction: Reduction, count: Int) throws -> Tensor {
    switch reduction {
    case .none:
        return try Tensor(shape: shape, scalars: values)
    case .sum, .mean:
        var total: Double = 0
        for v in values { total += Double(v) }
        return Tensor(Float(reduction == .sum ? total : total / Double(count)))
    }
}
