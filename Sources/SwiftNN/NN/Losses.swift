/// `torch.nn.CrossEntropyLoss` over logits and class indices (or probabilities).
public struct CrossEntropyLoss {
    public var reduction: Reduction
    public var labelSmoothing: Float
    public var ignoreIndex: Int

    public init(reduction: Reduction = .mean, labelSmoothing: Float = 0, ignoreIndex: Int = -100) {
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
    }

    public func callAsFunction(_ logits: Tensor, _ targets: [Int]) throws -> Tensor {
        try logits.crossEntropy(targets: targets, reduction: reduction, labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex)
    }

    public func callAsFunction(_ logits: Tensor, probabilities: Tensor) throws -> Tensor {
        try logits.crossEntropy(probabilities: probabilities, reduction: reduction, labelSmoothing: labelSmoothing)
    }
}

/// `torch.nn.MSELoss`.
public struct MSELoss {
    public var reduction: Reduction

    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try input.mseLoss(target, reduction: reduction)
    }
}
