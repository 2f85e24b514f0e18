/// Stochastic gradient descent with PyTorch's exact update (`torch.optim.SGD`):
///
///     g = ∇ (−∇ when maximizing) + weight_decay·p
///     b = g                                  (first step)
///     b = momentum·b + (1 − dampening)·g     (later steps)
///     g = g + momentum·b  if nesterov, else g = b
///     p = p − lr·g
///
/// State per parameter: `momentum_buffer` (once momentum is non-zero).
public final class SGD: Optimizer {
    public let nesterov: Bool
    public var momentum: Float { Float(h("momentum")) }
    public var dampening: Float { Float(h("dampening")) }
    public var weightDecay: Float { Float(h("weight_decay")) }

    /// Hyperparameters are doubles, as the other optimizers' (PyTorch's Python floats).
    public init(parameters: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) throws {
        self.nesterov = nesterov
        try super.init(parameters: parameters,
                       hyperparameters: ["lr": lr, "momentum": momentum, "dampening": dampening,
                                         "weight_decay": weightDecay, "maximize": maximize ? 1 : 0],
                       rules: ["momentum": .nonNegative("momentum value"), "dampening": .any,
                               "weight_decay": .nonNegative("weight_decay value")])
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw SwiftNNError.invalidArgument("Nesterov momentum requires a momentum and zero dampening")
        }
    }

    public override var stateNames: [String] { ["momentum_buffer"] }
    public override var flags: [(name: String, value: Bool)] { [("nesterov", nesterov)] }

    public override func step() throws {
        let lr = Float(self.lr), wd = weightDecay, mu = momentum, keep = 1 - dampening, sign = gradientSign
        let nesterov = self.nesterov
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let w = p.dataForWriting(), gr = grad.data
            if mu == 0 {
                elementwise(p.count) { range in
                    for i in range { w[i] -= lr * (sign * gr[i] + wd * w[i]) }
                }
                continue
            }
            // The first step starts the buffer at g itself (not a decayed zero buffer).
            let first = state[index]["momentum_buffer"] == nil
            let b = try buffer("momentum_buffer", index)
            let mix = first ? 0 : mu, fresh = first ? 1 : keep
            elementwise(p.count) { range in
                for i in range {
                    let g = sign * gr[i] + wd * w[i]
                    b[i] = mix * b[i] + fresh * g
                    w[i] -= lr * (nesterov ? g + mu * b[i] : b[i])
                }
            }
        }
    }
}
