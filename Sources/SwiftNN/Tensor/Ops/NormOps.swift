/// batch_norm, layer_norm and local_response_norm with PyTorch's semantics.
/// Each forward saves only per-channel (or per-row) statistics; the backward
/// recomputes x̂ from the saved input.
extension Tensor {
    /// `torch.nn.functional.batch_norm` over dimension 1 of an [N, C, ...] input.
    ///
    /// Training uses the batch statistics (biased variance) and, when running
    /// stats are given, updates them in place: mean ← (1−m)·mean + m·μ and
    /// var ← (1−m)·var + m·σ²·M/(M−1) (unbiased), M = values per channel.
    /// Otherwise the running statistics normalize (and must be given).
    public func batchNorm(runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                          training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, group: ProcessGroup? = nil) throws -> Tensor {
        let channels = rank >= 2 ? shape[1] : 0, outer = rank >= 2 ? shape[0] : 0, inner = shape.dropFirst(2).reduce(1, *)
        let useBatchStats = training
        let syncGroup = training ? group : nil
        let (mean, invstd, jointCount) = try Tensor.batchNormStatistics(
            shape: shape, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
            training: training, momentum: momentum, eps: eps, group: syncGroup) { mean, variance in
                NormKernels.channelMoments(ChannelPlanes(data, outer: outer, channels: channels, inner: inner),
                                           mean: mean, variance: variance)
            }
        // Only now: the checks above bound `channels` by real tensor sizes.
        let planes = ChannelPlanes(data, outer: outer, channels: channels, inner: inner)
        let scale = try Tensor(uninitializedShape: [channels]), shift = try Tensor(uninitializedShape: [channels])
        NormKernels.affineCoefficients(channels: channels, mean: mean.data, invstd: invstd.data, weight: weight?.data,
                                       bias: bias?.data, scale: scale.data, shift: shift.data)
        let out = try Tensor(uninitializedShape: shape)
        NormKernels.channelAffine(planes, residual: nil, out.data, scale: scale.data, shift: shift.data, relu: false)

        let input = self
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        OpTrace.record("batch_norm", [self, runningMean, runningVar, weight, bias], out,
                       [("eps", .float(eps)), ("training", .bool(training))])
        return out.recording("NativeBatchNormBackward", inputs: inputs,
                             saving: [self] + (weight.map { [$0] } ?? [])) { g, _ in
            let sumG = try Tensor(uninitializedShape: [channels]), sumGXhat = try Tensor(uninitializedShape: [channels])
            NormKernels.channelGradSums(g.data, reluOutput: nil, planes, mean: mean.data, invstd: invstd.data,
                                        sumG: sumG.data, sumGXhat: sumGXhat.data)
            // Every rank takes part in the exchange, whether or not its input needs a gradient.
            let (jointG, jointGXhat) = try syncGroup?.jointGradientSums(
                sumG: sumG, sumGXhat: sumGXhat, localCount: outer * inner, jointCount: jointCount) ?? (sumG, sumGXhat)
            var grads: [Tensor?] = [nil]
            if input.requiresGrad {
                let dx = try Tensor(uninitializedShape: input.shape)
                NormKernels.channelBackward(g.data, reluOutput: nil, planes,
                                            ChannelPlanes(dx.data, outer: outer, channels: channels, inner: inner),
                                            mean: mean.data, invstd: invstd.data, weight: weight?.data,
                                            sumG: jointG.data, sumGXhat: jointGXhat.data, batchStats: useBatchStats)
                grads[0] = dx
            }
            if let weight { grads.append(try sumGXhat.reshape(weight.shape)) }
            if let bias { grads.append(try sumG.reshape(bias.shape)) }
            return grads
        }
    }

    /// `torch.nn.functional.layer_norm`: normalizes over the trailing dimensions
    /// `normalizedShape` (biased variance); weight and bias have that shape.
    public func layerNorm(normalizedShape: [Int], weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) throws -> Tensor {
        let k = normalizedShape.count
        guard k >= 1, k <= rank, Array(shape[(rank - k)...]) == normalizedShape else {
            throw SwiftNNError.invalidArgument(
                "layer_norm: given normalized_shape=\(describe(normalizedShape)), expected input with shape "
                + "[*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size \(describe(shape))")
        }
        for (t, role) in [(weight, "weight"), (bias, "bias")] {
            if let t, t.shape != normalizedShape {
                throw SwiftNNError.invalidArgument(
                    "layer_norm: expected \(role) of shape \(describe(normalizedShape)), got \(describe(t.shape))")
            }
        }
        let width = normalizedShape.reduce(1, *)
        let rows = width == 0 ? 0 : count / width
        let mean = try Tensor(uninitializedShape: [rows]), invstd = try Tensor(uninitializedShape: [rows])
        let out = try Tensor(uninitializedShape: shape)
        NormKernels.rowForward(data, out.data, rows: rows, width: width, eps: eps, weight: weight?.data, bias: bias?.data,
                               mean: mean.data, invstd: invstd.data)
        let input = self
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        OpTrace.record("layer_norm", [self, weight, bias], out, [("axes", .int(k)), ("eps", .float(eps))])
        return out.recording("NativeLayerNormBackward", inputs: inputs) { g, _ in
            let dx = input.requiresGrad ? try Tensor(uninitializedShape: input.shape) : nil
            let dw = weight == nil ? nil : try Tensor(uninitializedShape: normalizedShape)
            let db = bias == nil ? nil : try Tensor(uninitializedShape: normalizedShape)
            NormKernels.rowBackward(g.data, input.data, dx?.data, rows: rows, width: width, weight: weight?.data,
                                    mean: mean.data, invstd: invstd.data, dw: dw?.data, db: db?.data)
            var grads: [Tensor?] = [dx]
            if let dw { grads.append(dw) }
            if let db { grads.append(db) }
            return grads
        }
    }

    /// `torch.nn.functional.local_response_norm` across channels (dimension 1).
    public func localResponseNorm(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) throws -> Tensor {
        guard rank >= 3 else {
            throw SwiftNNError.invalidArgument(
                "local_response_norm: expected 3D or higher dimensionality input (got \(rank) dimensions, shape \(describe(shape)))")
        }
        guard size >= 1 else { throw SwiftNNError.invalidArgument("local_response_norm: size must be positive, got \(size)") }
        let outer = shape[0], channels = shape[1], inner = shape[2...].reduce(1, *)
        let base = try Tensor(uninitializedShape: shape)
        let out = try Tensor(uninitializedShape: shape)
        NormKernels.lrnForward(data, out.data, base: base.data, outer: outer, channels: channels, inner: inner,
                               size: size, alpha: alpha, beta: beta, k: k)
        let input = self
        OpTrace.record("local_response_norm", [self], out,
                       [("size", .int(size)), ("alpha", .float(alpha)), ("beta", .float(beta)), ("k", .float(k))])
        return out.recording("LocalResponseNormBackward", inputs: [self], savesOutput: true) { g, out in
            let dx = try Tensor(uninitializedShape: input.shape)
            NormKernels.lrnBackward(g.data, input.data, out.data, base: base.data, dx.data, outer: outer,
                                    channels: channels, inner: inner, size: size, alpha: alpha, beta: beta)
            return [dx]
        }
    }
}

extension Tensor {
    /// The statistics and running-stat update of `batchNorm` for an input of `shape`,
    /// after checking the arguments with PyTorch's messages. `moments` fills the batch
    /// mean and biased variance (called only in training).
    /// With a `group`, the statistics are the joint batch's over all its ranks (SyncBatchNorm)
    /// and `count` is the joint number of values per channel.
    static func batchNormStatistics(shape: [Int], runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                                    training: Bool, momentum: Float, eps: Float, group: ProcessGroup? = nil,
                                    moments: (_ mean: UnsafeMutablePointer<Float>, _ variance: UnsafeMutablePointer<Float>) -> Void)
        throws -> (mean: Tensor, invstd: Tensor, count: Int) {
        guard shape.count >= 2 else {
            throw SwiftNNError.invalidArgument("batch_norm: expected an input with at least 2 dimensions [N, C, ...], got shape \(describe(shape))")
        }
        let channels = shape[1], perChannel = shape[0] * shape[2...].reduce(1, *)
        for (t, role) in [(runningMean, "running_mean"), (runningVar, "running_var"), (weight, "weight"), (bias, "bias")] {
            if let t, !(t.count == channels && t.rank <= 1) {
                throw SwiftNNError.invalidArgument(
                    "batch_norm: \(role) of shape \(describe(t.shape)) should contain \(channels) elements "
                    + "(the channels of input \(describe(shape)))")
            }
        }
        guard (runningMean == nil) == (runningVar == nil) else {
            throw SwiftNNError.invalidArgument("batch_norm: running_mean and running_var must both be given or both be None")
        }
        guard training || runningMean != nil else {
            throw SwiftNNError.runtime("running_mean must be defined in evaluation mode")
        }
        if training && group == nil && perChannel <= 1 {
            throw SwiftNNError.invalidArgument("Expected more than 1 value per channel when training, got input size \(describe(shape))")
        }
        guard eps.isFinite && eps >= 0 else { throw SwiftNNError.invalidArgument("batch_norm: eps must be non-negative, got \(eps)") }

        let mean = try Tensor(uninitializedShape: [channels])
        let invstd = try Tensor(uninitializedShape: [channels])
        var jointCount = perChannel
        if training {
            let variance = try Tensor(uninitializedShape: [channels])
            if perChannel > 0 { moments(mean.data, variance.data) }
            if let group {
                jointCount = try group.combineMoments(count: perChannel, mean: mean.data, variance: variance.data,
                                                      channels: channels)
                if jointCount <= 1 {
                    throw SwiftNNError.invalidArgument(
                        "Expected more than 1 value per channel when training, got \(jointCount) over all ranks")
                }
            }
            for c in 0..<channels { invstd.data[c] = 1 / (variance.data[c] + eps).squareRoot() }
            if let runningMean, let runningVar {
                let unbias = Float(jointCount) / Float(jointCount - 1)
                // Counted as in-place writes (as PyTorch's), so caches of folded weights see them.
                runningMean.bumpVersion()
                runningVar.bumpVersion()
                for c in 0..<channels {
                    runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * mean.data[c]
                    runningVar.data[c] = (1 - momentum) * runningVar.data[c] + momentum * variance.data[c] * unbias
                }
            }
        } else if let runningMean, let runningVar {  // checked above
            mean.data.update(from: runningMean.data, count: channels)
            for c in 0..<channels { invstd.data[c] = 1 / (runningVar.data[c] + eps).squareRoot() }
        }
        return (mean, invstd, jointCount)
    }
}
