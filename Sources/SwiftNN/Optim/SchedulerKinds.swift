/// Builds a learning-rate scheduler from its PyTorch class name, the optimizers
/// (one per param group) and a JSON object of its arguments by PyTorch's names
/// (`{"step_size": 30, "gamma": 0.1}`), plus `last_epoch` and `base_lrs` (the
/// groups' `initial_lr`, needed when resuming). Per-group values (OneCycleLR's
/// `max_lr`, momentums) are one number or one per group.
public enum SchedulerKinds {
    public static func make(_ kind: String, groups: [Optimizer], config text: String?) throws -> LRScheduler {
        guard let build = builders[kind] else {
            throw SwiftNNError.invalidArgument("unknown scheduler '\(kind)'; available: \(names.joined(separator: ", "))")
        }
        var c = try ModelConfig(model: kind, text: text)
        let lastEpoch = try c.value("last_epoch", -1)
        let baseLRs = try c.value("base_lrs", [Double]?.none)
        let scheduler = try build(groups, &c, lastEpoch, baseLRs)
        try c.finish()
        return scheduler
    }

    public static var names: [String] { builders.keys.sorted() }

    private typealias Builder = ([Optimizer], inout ModelConfig, Int, [Double]?) throws -> LRScheduler

    private static let builders: [String: Builder] = [
        "StepLR": { g, c, last, base in
            try StepLR(g, stepSize: try c.required("step_size"), gamma: try c.value("gamma", 0.1), lastEpoch: last,
                       baseLRs: base)
        },
        "MultiStepLR": { g, c, last, base in
            try MultiStepLR(g, milestones: try c.required("milestones"), gamma: try c.value("gamma", 0.1),
                            lastEpoch: last, baseLRs: base)
        },
        "ExponentialLR": { g, c, last, base in
            try ExponentialLR(g, gamma: try c.required("gamma"), lastEpoch: last, baseLRs: base)
        },
        "CosineAnnealingLR": { g, c, last, base in
            try CosineAnnealingLR(g, tMax: try c.required("T_max"), etaMin: try c.value("eta_min", 0.0),
                                  lastEpoch: last, baseLRs: base)
        },
        "OneCycleLR": { g, c, last, _ in
            let anneal = try c.value("anneal_strategy", "cos")
            guard anneal == "cos" || anneal == "linear" else {
                throw SwiftNNError.invalidArgument("anneal_strategy must be one of 'cos' or 'linear', instead got \(anneal)")
            }
            return try OneCycleLR(g, maxLRs: try c.perGroup("max_lr", nil), totalSteps: try c.required("total_steps"),
                                  pctStart: try c.value("pct_start", 0.3), anneal: anneal == "cos" ? .cos : .linear,
                                  cycleMomentum: try c.value("cycle_momentum", true),
                                  baseMomentums: try c.perGroup("base_momentum", 0.85),
                                  maxMomentums: try c.perGroup("max_momentum", 0.95),
                                  divFactor: try c.value("div_factor", 25.0),
                                  finalDivFactor: try c.value("final_div_factor", 1e4),
                                  threePhase: try c.value("three_phase", false), lastEpoch: last)
        },
    ]
}

extension ModelConfig {
    /// One number for every group, or a list with one per group; required when `defaultValue` is nil.
    mutating func perGroup(_ key: String, _ defaultValue: Double?) throws -> [Double] {
        guard let json = given(key), json != .null else {
            guard let defaultValue else { throw SwiftNNError.wrongType("\(model): missing required argument '\(key)'") }
            return [defaultValue]
        }
        if json.doubleValue != nil { return [try Double(json: json, option: "\(model): \(key)")] }
        return try [Double](json: json, option: "\(model): \(key)")
    }
}
