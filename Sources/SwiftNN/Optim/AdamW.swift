/// AdamW (`torch.optim.AdamW`): Adam whose weight decay shrinks the parameter
/// directly, `p = p·(1 − lr·weight_decay)`, before the Adam update, instead of
/// adding `weight_decay·p` to the gradient. PyTorch's default weight_decay is 1e-2.
public final class AdamW: Adam {
    public init(parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        try super.init(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                       amsgrad: amsgrad, decoupledWeightDecay: true, maximize: maximize)
    }
}
