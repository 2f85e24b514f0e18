/// One setting of a layer under its PyTorch attribute name: its current value and,
/// when the layer can change it after construction, how to assign it (validated as
/// the constructor validates it). Bindings read and write layer settings only
/// through these, so no binding keeps a copy of engine state.
public struct ModuleOption {
    public let name: String
    public let value: JSON
    let assign: ((JSON) throws -> Void)?

    /// A read-only setting.
    public init<T: OptionValue>(_ name: String, _ value: T) {
        self.name = name
        self.value = value.json
        assign = nil
    }

    /// A setting the layer reads at every forward; `set` receives the decoded value.
    public init<T: OptionValue>(_ name: String, _ value: T, set: @escaping (T) throws -> Void) {
        self.name = name
        self.value = value.json
        assign = { try set(try T(json: $0, option: name)) }
    }

    public var isWritable: Bool { assign != nil }
}

/// An engine object whose settings bindings read by name as JSON (modules, optimizers, schedulers).
public protocol OptionHolder: AnyObject {
    /// Every setting as one JSON object.
    var optionsJSON: JSON { get }
    func option(_ name: String) throws -> JSON
}

extension Module: OptionHolder {
    /// Every setting as one JSON object, in declaration order.
    public var optionsJSON: JSON { .object(options.map { ($0.name, $0.value) }) }

    public func option(_ name: String) throws -> JSON { try lookup(name).value }

    /// Changes a setting for the following forwards; read-only ones raise.
    public func setOption(_ name: String, _ value: JSON) throws {
        guard let assign = try lookup(name).assign else {
            throw SwiftNNError.readOnly("\(typeName).\(name) is fixed at construction and cannot be changed")
        }
        try assign(value)
    }

    private func lookup(_ name: String) throws -> ModuleOption {
        let all = options
        guard let option = all.first(where: { $0.name == name }) else {
            let known = all.isEmpty ? "none" : all.map(\.name).joined(separator: ", ")
            throw SwiftNNError.invalidArgument("\(typeName) has no option '\(name)' (options: \(known))")
        }
        return option
    }
}

extension ModuleOption {
    /// A read-only setting given as JSON (a value shown in PyTorch's form, e.g. a pool's int size).
    public init(_ name: String, json: JSON) {
        self.name = name
        value = json
        assign = nil
    }
}

/// A normalization epsilon: finite and non-negative.
func checkedEps(_ eps: Float) throws -> Float {
    guard eps.isFinite && eps >= 0 else { throw SwiftNNError.invalidArgument("eps must be non-negative, got \(eps)") }
    return eps
}

/// Layers with PyTorch's `reset_parameters()`: draw or set their initial values again.
public protocol ResettableParameters: Module {
    func resetParameters() throws
}

extension Module {
    /// PyTorch's reset methods by name: "parameters" (reset_parameters) or
    /// "running_stats" (BatchNorm's reset_running_stats).
    public func reset(_ what: String) throws {
        switch what {
        case "parameters":
            guard let layer = self as? ResettableParameters else {
                throw SwiftNNError.wrongType("\(typeName) has no reset_parameters()")
            }
            try layer.resetParameters()
        case "running_stats":
            guard let norm = self as? BatchNorm else {
                throw SwiftNNError.wrongType("\(typeName) has no reset_running_stats()")
            }
            norm.resetRunningStats()
        default:
            throw SwiftNNError.invalidArgument("unknown reset '\(what)' (parameters, running_stats)")
        }
    }
}
