/// Adam with PyTorch's exact update (`torch.optim.Adam`), per parameter at step t:
///
///     g = ∇ (−∇ when maximizing) + weight_decay·p          (AdamW instead: p = p·(1 − lr·weight_decay))
///     m = m + (1 − β1)·(g − m)
///     v = β2·v + (1 − β2)·g²
///     v̂ = max(v̂, v) if amsgrad, else v̂ = v
///     p = p − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
///
/// eps is added outside the square root, after the bias correction.
/// State per parameter: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad).
public class Adam: Optimizer {
    public let amsgrad: Bool
    /// AdamW's weight decay, applied to the parameter instead of the gradient.
    public let decoupledWeightDecay: Bool

    public init(parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false,
                maximize: Bool = false) throws {
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        try super.init(parameters: parameters,
                       hyperparameters: ["lr": lr, "beta1": betas.0, "beta2": betas.1, "eps": eps,
                                         "weight_decay": weightDecay, "maximize": maximize ? 1 : 0],
                       rules: ["beta1": HyperparameterRule(label: "beta parameter at index 0", below: 1),
                               "beta2": HyperparameterRule(label: "beta parameter at index 1", below: 1),
                               "eps": .nonNegative("epsilon value"),
                               "weight_decay": .nonNegative("weight_decay value")])
    }

    public override var stateNames: [String] { ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] }
    public override var flags: [(name: String, value: Bool)] { [("amsgrad", amsgrad)] }

    public override func step() throws {
        let beta1 = h("beta1"), beta2 = h("beta2")
        let wd = Float(h("weight_decay")), eps = Float(h("eps"))
        let keep1 = Float(1 - beta1), b2 = Float(beta2), keep2 = Float(1 - beta2)
        let decay = decoupledWeightDecay ? Float(1 - lr * h("weight_decay")) : 1
        let coupled = decoupledWeightDecay ? 0 : wd, sign = gradientSign, amsgrad = self.amsgrad
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let t = advanceStep(index)
            let m = try buffer("exp_avg", index), v = try buffer("exp_avg_sq", index)
            let vMax = amsgrad ? try buffer("max_exp_avg_sq", index) : v
            let stepSize = Float(lr / (1 - power(beta1, t)))
            let correction2 = Float((1 - power(beta2, t)).squareRoot())
            let w = p.dataForWriting(), gr = grad.data
            elementwise(p.count) { range in
                for i in range {
                    w[i] *= decay
                    let g = sign * gr[i] + coupled * w[i]
                    m[i] += keep1 * (g - m[i])
                    v[i] = b2 * v[i] + keep2 * g * g
                    if amsgrad { vMax[i] = Swift.max(vMax[i], v[i]) }
                    w[i] -= stepSize * m[i] / (vMax[i].squareRoot() / correction2 + eps)
                }
            }
        }
    }
}
