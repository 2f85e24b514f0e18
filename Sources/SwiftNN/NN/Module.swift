/// The base of every layer and model, in the shape of `torch.nn.Module`:
/// named parameters, buffers and child modules kept in registration order, so
/// `stateDict()` yields PyTorch's keys (`features.0.weight`, `bn1.running_mean`).
open class Module {
    public private(set) var training = true
    private var ownParameters: [(name: String, tensor: Tensor)] = []
    private var ownBuffers: [(name: String, tensor: Tensor)] = []
    public private(set) var namedChildren: [(name: String, module: Module)] = []

    public init() {}

    /// The computation; subclasses override it.
    open func forward(_ input: Tensor) throws -> Tensor {
        throw SwiftNNError.runtime("\(typeName) does not implement forward()")
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Leaves only: a model's time is not counted again at every level, and the
        // summary lists layers, not containers.
        guard namedChildren.isEmpty else { return try forward(input) }
        return try recordedCall { try forward(input) }
    }

    /// Runs `body` as a call of this leaf layer: profiled under `typeName` and listed in
    /// the forward trace, for fused computations (BN + ReLU) that stand in for `forward`.
    func recordedCall(_ body: () throws -> Tensor) rethrows -> Tensor {
        let output = try Profiler.measure(typeName, .forward, body)
        if let trace = ForwardTrace.active { trace.record(self, output) }
        return output
    }

    /// Lists this layer in the forward trace with `output` when a neighbour's fused call
    /// did its work (the ReLU after a fused BN + ReLU), so summaries keep their rows.
    func traceFusedCall(_ output: Tensor) {
        if let trace = ForwardTrace.active { trace.record(self, output) }
    }

    /// The class name shown by `description` and the Python `repr`.
    open var typeName: String { String(describing: type(of: self)) }
    /// The constructor arguments shown in `description`, e.g. `in_features=3, out_features=2`.
    open var extraDescription: String { "" }
    /// The layer's settings by PyTorch attribute name (`eps`, `stride`, ...), read and
    /// written through `option(_:)` and `setOption(_:_:)`; see ModuleOptions.swift.
    open var options: [ModuleOption] { [] }

    // MARK: Registration

    /// Registers (or replaces) a trainable tensor; it is marked `requiresGrad`.
    public func registerParameter(_ name: String, _ tensor: Tensor) {
        tensor.requiresGrad = true
        if let i = ownParameters.firstIndex(where: { $0.name == name }) {
            ownParameters[i].tensor = tensor
        } else {
            ownParameters.append((name, tensor))
        }
    }

    /// Registers (or replaces) a non-trainable state tensor such as a running mean.
    public func registerBuffer(_ name: String, _ tensor: Tensor) {
        if let i = ownBuffers.firstIndex(where: { $0.name == name }) {
            ownBuffers[i].tensor = tensor
        } else {
            ownBuffers.append((name, tensor))
        }
    }

    public func registerModule(_ name: String, _ module: Module) {
        if let i = namedChildren.firstIndex(where: { $0.name == name }) {
            namedChildren[i].module = module
        } else {
            namedChildren.append((name, module))
        }
    }

    /// Replaces an existing parameter of this module (PyTorch's `layer.weight = Parameter(...)`).
    public func replaceParameter(_ name: String, with tensor: Tensor) throws {
        guard ownParameters.contains(where: { $0.name == name }) else {
            let known = ownParameters.map(\.name).joined(separator: ", ")
            throw SwiftNNError.invalidArgument("\(typeName) has no parameter '\(name)' (parameters: \(known))")
        }
        registerParameter(name, tensor)
    }

    /// A parameter of this module (not of its children) by name.
    public func parameter(_ name: String) -> Tensor? { ownParameters.first { $0.name == name }?.tensor }
    public func buffer(_ name: String) -> Tensor? { ownBuffers.first { $0.name == name }?.tensor }

    // MARK: Traversal

    /// Every parameter with its dotted path, each tensor once even if shared.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return stateEntries().filter { $0.isParameter && seen.insert(ObjectIdentifier($0.tensor)).inserted }
            .map { ($0.name, $0.tensor) }
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        stateEntries().filter { !$0.isParameter }.map { ($0.name, $0.tensor) }
    }

    /// Parameters then buffers of each module, depth first: PyTorch's state_dict order.
    public func stateEntries(prefix: String = "") -> [(name: String, tensor: Tensor, isParameter: Bool)] {
        var entries = ownParameters.map { (prefix + $0.name, $0.tensor, true) }
        entries += ownBuffers.map { (prefix + $0.name, $0.tensor, false) }
        for (name, child) in namedChildren {
            entries += child.stateEntries(prefix: prefix + name + ".")
        }
        return entries
    }

    /// The state dict: every parameter and buffer by its PyTorch key, in order.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        stateEntries().map { ($0.name, $0.tensor) }
    }

    /// Copies values in from `state`. Missing keys, unexpected keys and shape
    /// mismatches are reported together; nothing is changed unless all checks pass.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let entries = stateEntries()
        let known = Set(entries.map(\.name))
        let missing = entries.map(\.name).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !known.contains($0) }.sorted()
        let mismatched = entries.compactMap { entry -> String? in
            guard let given = state[entry.name], given.shape != entry.tensor.shape else { return nil }
            return "\(entry.name): checkpoint \(describe(given.shape)) vs model \(describe(entry.tensor.shape))"
        }
        var problems: [String] = []
        if strict && !missing.isEmpty { problems.append("missing keys: \(missing.joined(separator: ", "))") }
        if strict && !unexpected.isEmpty { problems.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
        if !mismatched.isEmpty { problems.append("size mismatch: \(mismatched.joined(separator: "; "))") }
        guard problems.isEmpty else {
            throw SwiftNNError.invalidArgument("error(s) in loading state_dict for \(typeName): " + problems.joined(separator: "; "))
        }
        for entry in entries {
            if let given = state[entry.name] { try entry.tensor.assign(given) }
        }
    }

    // MARK: Modes

    /// Sets training mode here and in every descendant (dropout, batch norm read it).
    public func train(_ mode: Bool = true) {
        training = mode
        for (_, child) in namedChildren { child.train(mode) }
    }

    public func eval() { train(false) }

    /// Clears every parameter's gradient (PyTorch's default `set_to_none=True`).
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }
}

extension Module: CustomStringConvertible {
    /// The PyTorch-style nested repr: `Linear(in_features=3, out_features=2, bias=True)`.
    public var description: String {
        if namedChildren.isEmpty { return "\(typeName)(\(extraDescription))" }
        var lines = ["\(typeName)("]
        for (name, child) in namedChildren {
            let body = child.description.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n  ")
            lines.append("  (\(name)): \(body)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}
