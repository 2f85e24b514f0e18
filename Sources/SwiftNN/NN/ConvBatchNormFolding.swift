#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNKernels

/// A Conv2d's filters and bias with the following eval-mode BatchNorm folded in:
///
///     s = γ / √(running_var + eps)      w' = w·s[o]      b' = (b − running_mean)·s + β
///
/// so conv(x, w') + b' equals bn(conv(x, w) + b) up to float rounding. Kept on the
/// convolution and rebuilt when any source changes: each source tensor is held by
/// identity (a replaced parameter is a different object) and by its storage's version,
/// which every in-place write bumps (optimizer steps, load_state_dict, `copy_`,
/// nn.init, a training-mode running-statistics update), and eps is compared too.
/// The filters are also kept packed for the GEMM of the im2col path, once it is used.
final class FoldedConvolution {
    private let sources: [Tensor?]
    private let versions: [Int]
    private let eps: Float
    let weight: Tensor
    let bias: Tensor
    private var packed: [PackedMatrix]?

    /// Guards every Conv2d's `folded` and each cache's `packed`: the engine releases the
    /// GIL, so two Python threads may run one model at once.
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body()
    }

    /// Each group's filters [out/groups, in/groups·kh·kw] packed for the GEMM.
    func packedFilters(groups: Int) -> [PackedMatrix] {
        FoldedConvolution.locked {
            if let packed { return packed }
            let rows = weight.shape[0] / groups, depth = weight.count / weight.shape[0]
            let made = (0..<groups).map { PackedMatrix(weight.data + $0 &* rows &* depth, rows: rows, depth: depth, lda: depth) }
            packed = made
            return made
        }
    }

    init(conv: Conv2d, bn: BatchNorm, mean: Tensor, variance: Tensor) throws {
        sources = FoldedConvolution.sources(conv, bn, mean, variance)
        versions = sources.map { $0?.version ?? -1 }
        eps = bn.eps
        let outChannels = conv.outChannels, perChannel = conv.weight.count / outChannels
        weight = try Tensor(uninitializedShape: conv.weight.shape)
        bias = try Tensor(uninitializedShape: [outChannels])
        let w = conv.weight.data, folded = weight.data
        for o in 0..<outChannels {
            let scale = Double(bn.weight?.data[o] ?? 1) / (Double(variance.data[o]) + Double(eps)).squareRoot()
            for i in 0..<perChannel { folded[o &* perChannel &+ i] = Float(Double(w[o &* perChannel &+ i]) * scale) }
            let shift = Double(conv.bias?.data[o] ?? 0) - Double(mean.data[o])
            bias.data[o] = Float(shift * scale + Double(bn.bias?.data[o] ?? 0))
        }
    }

    private static func sources(_ conv: Conv2d, _ bn: BatchNorm, _ mean: Tensor, _ variance: Tensor) -> [Tensor?] {
        [conv.weight, conv.bias, bn.weight, bn.bias, mean, variance]
    }

    /// True while every source is the same tensor at the same version and eps is unchanged.
    func isCurrent(_ conv: Conv2d, _ bn: BatchNorm, _ mean: Tensor, _ variance: Tensor) -> Bool {
        guard bn.eps == eps else { return false }
        let now = FoldedConvolution.sources(conv, bn, mean, variance)
        for (i, tensor) in now.enumerated() {
            guard tensor === sources[i], (tensor?.version ?? -1) == versions[i] else { return false }
        }
        return true
    }
}

extension Conv2d {
    /// relu?(bn(self(x)) + residual) as one convolution with the BatchNorm folded into the
    /// filters and the add and ReLU applied as each output block is written; nil when the
    /// fusion does not apply and the caller must run the layers one by one: BN in training
    /// mode or without running statistics, a graph to record (autograd, ONNX export, a
    /// summary's trace), or inputs the separate layers would reject (their messages).
    func foldedForward(_ x: Tensor, bn: BatchNorm, relu: Bool, adding residual: Tensor? = nil) throws -> Tensor? {
        guard !bn.training, let mean = bn.runningMean, let variance = bn.runningVar,
              bn.numFeatures == outChannels, x.rank == 4,
              ForwardTrace.active == nil, OpTrace.active == nil else { return nil }
        if GradMode.isEnabled {
            let inputs: [Tensor?] = [x, weight, bias, bn.weight, bn.bias, residual]
            guard !inputs.contains(where: { $0?.requiresGrad == true }) else { return nil }
        }
        let folded = try FoldedConvolution.locked {
            if let current = self.folded, current.isCurrent(self, bn, mean, variance) { return current }
            let made = try FoldedConvolution(conv: self, bn: bn, mean: mean, variance: variance)
            self.folded = made
            return made
        }
        let problem = try x.convProblem(weight: folded.weight, bias: folded.bias, stride: stride, padding: padding,
                                        dilation: dilation, groups: groups)
        let g = problem.geometry
        let shape = [problem.batch, problem.outChannels, g.outH, g.outW]
        if let residual, residual.shape != shape { return nil }
        let name = typeName + "+" + bn.typeName + (relu ? "+ReLU" : "")
        return try Profiler.measure(name, .forward) {
            let out = try Tensor(uninitializedShape: shape)
            problem.forward(x: x.data, weight: folded.weight.data, bias: folded.bias.data, y: out.data,
                            epilogue: ConvEpilogue(residual: residual.map { UnsafePointer($0.data) }, relu: relu),
                            packedFilters: { folded.packedFilters(groups: self.groups) })
            return out
        }
    }

    /// relu(bn(self(x)) + residual): folded in inference, else the separate layers (BN and
    /// ReLU as one fused op).
    func batchNormReLU(_ x: Tensor, _ bn: BatchNorm, adding residual: Tensor? = nil) throws -> Tensor {
        if let out = try foldedForward(x, bn: bn, relu: true, adding: residual) { return out }
        return try bn.withReLU(self(x), adding: residual)
    }

    /// bn(self(x)): folded in inference, else the two layers.
    func batchNorm(_ x: Tensor, _ bn: BatchNorm) throws -> Tensor {
        if let out = try foldedForward(x, bn: bn, relu: false) { return out }
        return try bn(self(x))
    }
}
