/// Builds an optimizer from its PyTorch class name, its parameters and a JSON object
/// of hyperparameters by PyTorch's names (`{"lr": 0.1, "momentum": 0.9}`): the one
/// constructor the C ABI and Python use. Defaults are PyTorch's; unknown kinds and
/// keys are errors.
public enum OptimizerKinds {
    public static func make(_ kind: String, parameters: [Tensor], config text: String?) throws -> Optimizer {
        guard let build = builders[kind] else {
            throw SwiftNNError.invalidArgument("unknown optimizer '\(kind)'; available: \(names.joined(separator: ", "))")
        }
        var c = try ModelConfig(model: kind, text: text)
        let optimizer = try build(parameters, &c)
        try c.finish()
        return optimizer
    }

    public static var names: [String] { builders.keys.sorted() }

    private static let builders: [String: ([Tensor], inout ModelConfig) throws -> Optimizer] = [
        "SGD": { p, c in
            try SGD(parameters: p, lr: try c.value("lr", 1e-3), momentum: try c.value("momentum", 0.0),
                    dampening: try c.value("dampening", 0.0), weightDecay: try c.value("weight_decay", 0.0),
                    nesterov: try c.value("nesterov", false), maximize: try c.value("maximize", false))
        },
        "Adam": { p, c in try adam(p, &c, weightDecay: 0) },
        "AdamW": { p, c in try adam(p, &c, weightDecay: 1e-2) },
        "RMSprop": { p, c in
            try RMSprop(parameters: p, lr: try c.value("lr", 1e-2), alpha: try c.value("alpha", 0.99),
                        eps: try c.value("eps", 1e-8), weightDecay: try c.value("weight_decay", 0.0),
                        momentum: try c.value("momentum", 0.0), centered: try c.value("centered", false),
                        maximize: try c.value("maximize", false))
        },
        "Adagrad": { p, c in
            try Adagrad(parameters: p, lr: try c.value("lr", 1e-2), lrDecay: try c.value("lr_decay", 0.0),
                        weightDecay: try c.value("weight_decay", 0.0),
                        initialAccumulatorValue: try c.value("initial_accumulator_value", 0.0),
                        eps: try c.value("eps", 1e-10), maximize: try c.value("maximize", false))
        },
    ]

    /// Adam, or AdamW (decoupled weight decay, default 1e-2).
    private static func adam(_ p: [Tensor], _ c: inout ModelConfig, weightDecay: Double) throws -> Optimizer {
        let betas = try c.value("betas", [0.9, 0.999])
        guard betas.count == 2 else {
            throw SwiftNNError.wrongType("\(c.model): betas must be a pair of floats, got \(betas.count) values")
        }
        let (lr, eps, decay) = (try c.value("lr", 1e-3), try c.value("eps", 1e-8), try c.value("weight_decay", weightDecay))
        let (amsgrad, maximize) = (try c.value("amsgrad", false), try c.value("maximize", false))
        if c.model == "AdamW" {
            return try AdamW(parameters: p, lr: lr, betas: (betas[0], betas[1]), eps: eps, weightDecay: decay,
                             amsgrad: amsgrad, maximize: maximize)
        }
        return try Adam(parameters: p, lr: lr, betas: (betas[0], betas[1]), eps: eps, weightDecay: decay,
                        amsgrad: amsgrad, maximize: maximize)
    }
}
