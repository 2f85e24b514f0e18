/// RMSprop with PyTorch's exact update (`torch.optim.RMSprop`):
///
///     g = ∇ (−∇ when maximizing) + weight_decay·p
///     s = α·s + (1 − α)·g²
///     a = g_avg + (1 − α)·(g − g_avg);  d = √(s − a²) + eps    (centered)
///     d = √s + eps                                           (otherwise)
///     b = momentum·b + g/d;  p = p − lr·b                   (momentum > 0)
///     p = p − lr·g/d                                         (otherwise)
///
/// State per parameter: `step`, `square_avg`, `momentum_buffer` (momentum > 0),
/// `grad_avg` (centered).
public final class RMSprop: Optimizer {
    public let centered: Bool

    public init(parameters: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false) throws {
        self.centered = centered
        try super.init(parameters: parameters,
                       hyperparameters: ["lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weightDecay,
                                         "momentum": momentum, "maximize": maximize ? 1 : 0],
                       rules: ["alpha": .nonNegative("alpha value"), "eps": .nonNegative("epsilon value"),
                               "weight_decay": .nonNegative("weight_decay value"),
                               "momentum": .nonNegative("momentum value")])
    }

    public override var stateNames: [String] { ["step", "square_avg", "momentum_buffer", "grad_avg"] }
    public override var flags: [(name: String, value: Bool)] { [("centered", centered)] }

    public override func step() throws {
        let lr = Float(self.lr), alpha = Float(h("alpha")), keep = Float(1 - h("alpha"))
        let eps = Float(h("eps")), wd = Float(h("weight_decay")), mu = Float(h("momentum")), sign = gradientSign
        let centered = self.centered
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            _ = advanceStep(index)
            let s = try buffer("square_avg", index)
            let a = centered ? try buffer("grad_avg", index) : s
            let b = mu > 0 ? try buffer("momentum_buffer", index) : s
            let w = p.dataForWriting(), gr = grad.data
            elementwise(p.count) { range in
                for i in range {
                    let g = sign * gr[i] + wd * w[i]
                    s[i] = alpha * s[i] + keep * g * g
                    var d: Float
                    if centered {
                        a[i] += keep * (g - a[i])
                        d = (s[i] - a[i] * a[i]).squareRoot() + eps
                    } else {
                        d = s[i].squareRoot() + eps
                    }
                    if mu > 0 {
                        b[i] = mu * b[i] + g / d
                        w[i] -= lr * b[i]
                    } else {
                        w[i] -= lr * g / d
                    }
                }
            }
        }
    }
}
