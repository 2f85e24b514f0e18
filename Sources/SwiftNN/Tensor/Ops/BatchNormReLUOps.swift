/// relu(batch_norm(cat(pieces, dim: 1)) + residual) as one op: the BN → ReLU pairs of
/// ResNet and DenseNet, ResNet's BN → add → ReLU block ends, and DenseNet's BN over
/// the concatenation of all earlier features, read in place instead of copied.
/// Same values and gradients as the separate ops; only the ReLU output is saved.
extension Tensor {
    /// relu(batch_norm(cat(pieces, dim: 1), ...) + residual), the residual optional and of
    /// the result's shape. Arguments as `batchNorm`; the pieces must match except in dim 1.
    public static func batchNormReLU(_ pieces: [Tensor], adding residual: Tensor? = nil,
                                     runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                     training: Bool, momentum: Float = 0.1, eps: Float = 1e-5,
                                     group: ProcessGroup? = nil) throws -> Tensor {
        guard let first = pieces.first else {
            throw SwiftNNError.invalidArgument("batch_norm_relu: expected a non-empty list of inputs")
        }
        guard first.rank >= 2 else {
            throw SwiftNNError.invalidArgument("batch_norm: expected an input with at least 2 dimensions [N, C, ...], got shape \(describe(first.shape))")
        }
        for (i, t) in pieces.enumerated() {
            var a = t.shape, b = first.shape
            if a.count == b.count { a[1] = 0; b[1] = 0 }
            guard a == b else {
                throw SwiftNNError.invalidArgument(
                    "batch_norm_relu: inputs must match except in dimension 1: input 0 has shape \(describe(first.shape)) "
                    + "but input \(i) has shape \(describe(t.shape))")
            }
        }
        var shape = first.shape
        shape[1] = pieces.reduce(0) { $0 + $1.shape[1] }
        if let residual, residual.shape != shape {
            throw SwiftNNError.invalidArgument(
                "batch_norm_relu: the residual has shape \(describe(residual.shape)) but the normalized input \(describe(shape))")
        }
        let outer = shape[0], inner = shape[2...].reduce(1, *)
        let x = ChannelPlanes(pieces.map { ($0.data, $0.shape[1]) }, outer: outer, inner: inner)
        let syncGroup = training ? group : nil
        let (mean, invstd, jointCount) = try batchNormStatistics(
            shape: shape, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
            training: training, momentum: momentum, eps: eps, group: syncGroup) { NormKernels.channelMoments(x, mean: $0, variance: $1) }
        let channels = shape[1]
        let scale = try Tensor(uninitializedShape: [channels]), shift = try Tensor(uninitializedShape: [channels])
        NormKernels.affineCoefficients(channels: channels, mean: mean.data, invstd: invstd.data, weight: weight?.data,
                                       bias: bias?.data, scale: scale.data, shift: shift.data)
        let out = try Tensor(uninitializedShape: shape)
        NormKernels.channelAffine(x, residual: residual.map { UnsafePointer($0.data) }, out.data,
                                  scale: scale.data, shift: shift.data, relu: true)

        let hasResidual = residual != nil, residualNeedsGrad = residual?.requiresGrad == true
        var inputs = pieces
        if let residual { inputs.append(residual) }
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        OpTrace.record("batch_norm_relu", pieces + [residual, runningMean, runningVar, weight, bias], out,
                       [("pieces", .int(pieces.count)), ("eps", .float(eps)), ("training", .bool(training))])
        return out.recording("BatchNormReluBackward", inputs: inputs, savesOutput: true) { g, out in
            let sumG = try Tensor(uninitializedShape: [channels]), sumGXhat = try Tensor(uninitializedShape: [channels])
            let gResidual = residualNeedsGrad ? try Tensor(uninitializedShape: shape) : nil
            NormKernels.channelGradSums(g.data, reluOutput: out.data, x, mean: mean.data, invstd: invstd.data,
                                        sumG: sumG.data, sumGXhat: sumGXhat.data, gatedGradient: gResidual?.data)
            let (jointG, jointGXhat) = try syncGroup?.jointGradientSums(
                sumG: sumG, sumGXhat: sumGXhat, localCount: outer * inner, jointCount: jointCount) ?? (sumG, sumGXhat)
            var grads: [Tensor?] = pieces.map { _ in nil }
            if pieces.contains(where: { $0.requiresGrad }) {
                let dx = try pieces.map { try Tensor(uninitializedShape: $0.shape) }
                let planes = ChannelPlanes(dx.map { ($0.data, $0.shape[1]) }, outer: outer, inner: inner)
                NormKernels.channelBackward(g.data, reluOutput: out.data, x, planes, mean: mean.data, invstd: invstd.data,
                                            weight: weight?.data, sumG: jointG.data, sumGXhat: jointGXhat.data,
                                            batchStats: training)
                grads = zip(pieces, dx).map { $0.requiresGrad ? $1 : nil }
            }
            if hasResidual { grads.append(gResidual) }
            if let weight { grads.append(try sumGXhat.reshape(weight.shape)) }
            if let bias { grads.append(try sumG.reshape(bias.shape)) }
            return grads
        }
    }
}
