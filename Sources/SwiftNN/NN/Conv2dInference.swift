import SwiftNNKernels

/// Inference runs of a Conv2d with the layers that follow it: conv → BN (→ + residual)
/// (→ ReLU) as one convolution with the BatchNorm folded into its filters and the add and
/// ReLU applied as each output block is written, and conv → ReLU the same way without a
/// BatchNorm. The filters, folded and packed for the GEMM, are kept between calls
/// (`FoldedConvolution`). Same values as the separate layers, up to float rounding.
extension Conv2d {
    /// relu?(bn?(self(x)) + residual), fused; nil when fusion does not apply and the caller
    /// must run the layers one by one: training mode, BN without running statistics, a
    /// graph to record (autograd, ONNX export, a summary's trace), or inputs the separate
    /// layers would reject (so their messages are raised).
    func fusedForward(_ x: Tensor, bn: BatchNorm?, relu: Bool, adding residual: Tensor? = nil) throws -> Tensor? {
        if training {
            // Training changes the weights every step: drop the copies instead of keeping them stale.
            InferenceCaches.locked { folded = nil }
            return nil
        }
        guard x.rank == 4, ForwardTrace.active == nil, OpTrace.active == nil else { return nil }
        if let bn {
            guard !bn.training, bn.runningMean != nil, bn.runningVar != nil, bn.numFeatures == outChannels else { return nil }
        }
        if GradMode.isEnabled {
            let inputs: [Tensor?] = [x, weight, bias, bn?.weight, bn?.bias, residual]
            guard !inputs.contains(where: { $0?.requiresGrad == true }) else { return nil }
        }
        let fused = try FoldedConvolution.current(self, bn)
        let problem = try x.convProblem(weight: fused.weight, bias: fused.bias, stride: stride, padding: padding,
                                        dilation: dilation, groups: groups)
        let g = problem.geometry
        let shape = [problem.batch, problem.outChannels, g.outH, g.outW]
        if let residual, residual.shape != shape { return nil }
        let name = typeName + (bn.map { "+" + $0.typeName } ?? "") + (relu ? "+ReLU" : "")
        return try Profiler.measure(name, .forward) {
            let out = try Tensor(uninitializedShape: shape)
            problem.forward(x: x.data, weight: fused.weight.data, bias: fused.bias.map { UnsafePointer($0.data) },
                            y: out.data, epilogue: ConvEpilogue(residual: residual.map { UnsafePointer($0.data) }, relu: relu),
                            prepared: fused)
            return out
        }
    }

    /// relu(bn(self(x)) + residual): fused in inference, else the separate layers (BN and
    /// ReLU as one fused op).
    func batchNormReLU(_ x: Tensor, _ bn: BatchNorm, adding residual: Tensor? = nil) throws -> Tensor {
        if let out = try fusedForward(x, bn: bn, relu: true, adding: residual) { return out }
        return try bn.withReLU(self(x), adding: residual)
    }

    /// bn(self(x)): fused in inference, else the two layers.
    func batchNorm(_ x: Tensor, _ bn: BatchNorm) throws -> Tensor {
        if let out = try fusedForward(x, bn: bn, relu: false) { return out }
        return try bn(self(x))
    }
}
