/// An optimizer's settings by PyTorch's param-group key, as JSON: every
/// hyperparameter (Adam's `betas` as a pair, `maximize` as a bool) and the
/// structural flags (`nesterov`, `amsgrad`, `centered`, read-only). Bindings read
/// and write `param_groups[i][key]` through these, so the engine holds the values.
extension Optimizer: OptionHolder {
    public var optionsJSON: JSON { .object(optionNames.map { ($0, (try? option($0)) ?? .null) }) }

    public var optionNames: [String] {
        var names = hyperparameters.keys.filter { $0 != "beta1" && $0 != "beta2" }.sorted()
        if hasHyperparameter("beta1") { names.append("betas") }
        return names + flags.map(\.name)
    }

    public func option(_ name: String) throws -> JSON {
        switch name {
        case "betas" where hasHyperparameter("beta1"):
            return .array([try hyperparameter("beta1").json, try hyperparameter("beta2").json])
        case "maximize": return maximize.json
        default:
            if let flag = flags.first(where: { $0.name == name }) { return flag.value.json }
            guard hyperparameters[name] != nil, name != "beta1", name != "beta2" else { throw unknownOption(name) }
            return try hyperparameter(name).json
        }
    }

    /// Changes a setting for the following steps, validated as at construction. A flag
    /// accepts only its current value (so saved param groups load back).
    public func setOption(_ name: String, _ value: JSON) throws {
        switch name {
        case "betas" where hasHyperparameter("beta1"):
            let betas = try [Double](json: value, option: "betas")
            guard betas.count == 2 else { throw SwiftNNError.wrongType("betas must be a pair of floats, got \(value.text)") }
            try setBetas(betas[0], betas[1])
        case "maximize":
            maximize = try Bool(json: value, option: name)
        default:
            if let flag = flags.first(where: { $0.name == name }) {
                guard try Bool(json: value, option: name) == flag.value else {
                    throw SwiftNNError.readOnly("\(type(of: self)): \(name) is fixed at construction and cannot be changed")
                }
                return
            }
            guard hyperparameters[name] != nil, name != "beta1", name != "beta2" else { throw unknownOption(name) }
            try setHyperparameter(name, try Double(json: value, option: name))
        }
    }

    /// Sets beta1 and beta2 together: neither changes unless both are valid.
    private func setBetas(_ beta1: Double, _ beta2: Double) throws {
        let old = try hyperparameter("beta1")
        try setHyperparameter("beta1", beta1)
        do {
            try setHyperparameter("beta2", beta2)
        } catch {
            try setHyperparameter("beta1", old)
            throw error
        }
    }

    private func unknownOption(_ name: String) -> SwiftNNError {
        .invalidArgument("\(type(of: self)) has no setting '\(name)' (settings: \(optionNames.joined(separator: ", ")))")
    }
}
