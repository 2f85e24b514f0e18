/// Batch normalization over the channel dimension (`torch.nn.BatchNorm1d/2d`).
///
/// Parameters `weight` (ones) and `bias` (zeros) when affine; buffers
/// `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked` (a
/// 0-d count) when tracking running stats. Training normalizes with the batch
/// statistics and updates the running ones with `momentum`, or with the
/// cumulative average 1/num_batches_tracked when momentum is nil; eval mode
/// normalizes with the running statistics.
public class BatchNorm: Module, ResettableParameters {
    public let numFeatures: Int
    public private(set) var eps: Float
    public var momentum: Float?
    public let affine: Bool
    public let trackRunningStats: Bool
    /// Input ranks this variant accepts and how to name them in errors.
    let acceptedRanks: [Int]
    /// When set, training normalizes over the joint batch of every rank in the group
    /// (PyTorch's `nn.SyncBatchNorm`); nil: this process's batch only.
    public var processGroup: ProcessGroup?

    init(numFeatures: Int, eps: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool, acceptedRanks: [Int]) throws {
        guard numFeatures > 0 else {
            throw SwiftNNError.invalidArgument("BatchNorm: num_features must be positive, got \(numFeatures)")
        }
        self.numFeatures = numFeatures
        self.eps = try checkedEps(eps)
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        self.acceptedRanks = acceptedRanks
        super.init()
        if affine {
            registerParameter("weight", try Tensor.ones([numFeatures]))
            registerParameter("bias", try Tensor.zeros([numFeatures]))
        }
        if trackRunningStats {
            registerBuffer("running_mean", try Tensor.zeros([numFeatures]))
            registerBuffer("running_var", try Tensor.ones([numFeatures]))
            registerBuffer("num_batches_tracked", Tensor(0))
        }
    }

    public var weight: Tensor? { parameter("weight") }
    public var bias: Tensor? { parameter("bias") }
    public var runningMean: Tensor? { buffer("running_mean") }
    public var runningVar: Tensor? { buffer("running_var") }
    public var numBatchesTracked: Tensor? { buffer("num_batches_tracked") }

    /// Zeroes the running mean and count and sets the running variance to one.
    public func resetRunningStats() {
        runningMean.map { Init.constant($0, 0) }
        runningVar.map { Init.constant($0, 1) }
        numBatchesTracked.map { Init.constant($0, 0) }
    }

    /// The running statistics, then weight ones and bias zeros.
    public func resetParameters() {
        resetRunningStats()
        weight.map { Init.constant($0, 1) }
        bias.map { Init.constant($0, 0) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input.shape)
        return try normalizing { training, momentum in
            try input.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                                training: training, momentum: momentum, eps: eps, group: processGroup)
        }
    }

    /// relu(self(cat(pieces, dim: 1)) + residual) in one fused op (`Tensor.batchNormReLU`),
    /// recorded as a call of this layer. The same result, running-statistics update and
    /// gradients as the separate layers, without their intermediate tensors.
    public func withReLU(_ pieces: [Tensor], adding residual: Tensor? = nil) throws -> Tensor {
        guard let first = pieces.first else {
            throw SwiftNNError.invalidArgument("\(typeName): expected at least one input to normalize")
        }
        var shape = first.shape
        if shape.count >= 2 { shape[1] = pieces.reduce(0) { $0 + ($1.rank >= 2 ? $1.shape[1] : 0) } }
        try checkInput(shape)
        return try recordedCall {
            try normalizing { training, momentum in
                try Tensor.batchNormReLU(pieces, adding: residual, runningMean: runningMean, runningVar: runningVar,
                                         weight: weight, bias: bias, training: training, momentum: momentum, eps: eps,
                                         group: processGroup)
            }
        }
    }

    /// relu(self(input) + residual), fused.
    public func withReLU(_ input: Tensor, adding residual: Tensor? = nil) throws -> Tensor {
        try withReLU([input], adding: residual)
    }

    private func checkInput(_ shape: [Int]) throws {
        guard acceptedRanks.contains(shape.count) else {
            let names = acceptedRanks.map { "\($0)D" }.joined(separator: " or ")
            throw SwiftNNError.invalidArgument("\(typeName): expected \(names) input (got \(shape.count)D input of shape \(describe(shape)))")
        }
        guard shape[1] == numFeatures else {
            throw SwiftNNError.invalidArgument(
                "\(typeName): expected input with \(numFeatures) channels (num_features) in dimension 1, "
                + "got input of shape \(describe(shape))")
        }
    }

    /// Runs `body(useBatchStatistics, momentumFactor)` and counts the batch when training
    /// updates the running statistics (momentum nil: the cumulative average 1/count).
    private func normalizing(_ body: (Bool, Float) throws -> Tensor) throws -> Tensor {
        let count = numBatchesTracked
        let updating = training && trackRunningStats
        var factor = momentum ?? 0
        if updating, let count, momentum == nil { factor = 1 / (count.data[0] + 1) }
        // Without running statistics, batch statistics normalize in eval mode too.
        let out = try body(training || !trackRunningStats, factor)
        if updating, let count { count.data[0] += 1 }
        return out
    }

    public override var options: [ModuleOption] {
        [ModuleOption("num_features", numFeatures), ModuleOption("eps", eps) { self.eps = try checkedEps($0) },
         ModuleOption("momentum", momentum) { self.momentum = $0 }, ModuleOption("affine", affine),
         ModuleOption("track_running_stats", trackRunningStats)]
    }

    public override var typeName: String { processGroup == nil ? super.typeName : "SyncBatchNorm" }

    public override var extraDescription: String {
        "\(numFeatures), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), "
            + "affine=\(affine ? "True" : "False"), track_running_stats=\(trackRunningStats ? "True" : "False")"
    }
}

/// BatchNorm over [N, C] or [N, C, L] inputs.
public final class BatchNorm1d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) throws {
        try super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, acceptedRanks: [2, 3])
    }
}

/// BatchNorm over [N, C, H, W] inputs.
public final class BatchNorm2d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) throws {
        try super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, acceptedRanks: [4])
    }
}
