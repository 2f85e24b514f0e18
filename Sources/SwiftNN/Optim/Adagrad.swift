/// Adagrad with PyTorch's exact update (`torch.optim.Adagrad`), at step t:
///
///     g = ∇ (−∇ when maximizing) + weight_decay·p
///     clr = lr / (1 + (t − 1)·lr_decay)
///     s = s + g²                      (s starts at initial_accumulator_value)
///     p = p − clr · g / (√s + eps)
///
/// State per parameter (created with the optimizer, as in PyTorch): `step`, `sum`.
public final class Adagrad: Optimizer {
    public init(parameters: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false) throws {
        try super.init(parameters: parameters,
                       hyperparameters: ["lr": lr, "lr_decay": lrDecay, "weight_decay": weightDecay,
                                         "initial_accumulator_value": initialAccumulatorValue, "eps": eps,
                                         "maximize": maximize ? 1 : 0],
                       rules: ["lr_decay": .nonNegative("lr_decay value"),
                               "weight_decay": .nonNegative("weight_decay value"),
                               "initial_accumulator_value": .nonNegative("initial_accumulator_value value"),
                               "eps": .nonNegative("epsilon value")])
        for index in parameters.indices {
            state[index]["step"] = Tensor(0)
            _ = try buffer("sum", index, fill: Float(initialAccumulatorValue))
        }
    }

    public override var stateNames: [String] { ["step", "sum"] }

    public override func step() throws {
        let wd = Float(h("weight_decay")), eps = Float(h("eps")), lrDecay = h("lr_decay"), sign = gradientSign
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let t = advanceStep(index)
            let clr = Float(lr / (1 + (t - 1) * lrDecay))
            let s = try buffer("sum", index, fill: Float(h("initial_accumulator_value")))
            let w = p.dataForWriting(), gr = grad.data
            elementwise(p.count) { range in
                for i in range {
                    let g = sign * gr[i] + wd * w[i]
                    s[i] += g * g
                    w[i] -= clr * g / (s[i].squareRoot() + eps)
                }
            }
        }
    }
}
