/// The common part of every optimizer, shaped like one PyTorch param group:
/// the parameters, named hyperparameters a scheduler may change between steps
/// (`lr`, `momentum`, `beta1`, ...), and per-parameter named state buffers
/// (PyTorch's `optimizer.state[p]`: `step`, `exp_avg`, `momentum_buffer`, ...).
///
/// Hyperparameters are doubles, like the Python floats of a param group; the
/// element loops run in float32.
open class Optimizer {
    public let parameters: [Tensor]
    /// Hyperparameter values by PyTorch group key (`betas` is split into `beta1`, `beta2`).
    public internal(set) var hyperparameters: [String: Double]
    private let rules: [String: HyperparameterRule]
    /// Per parameter: state buffers by PyTorch's names. `step` is a 0-d tensor.
    public internal(set) var state: [[String: Tensor]]

    /// `rules` lists every hyperparameter the optimizer has; `lr` is always one of them.
    public init(parameters: [Tensor], hyperparameters: [String: Double], rules: [String: HyperparameterRule]) throws {
        guard !parameters.isEmpty else {
            throw SwiftNNError.invalidArgument("optimizer got an empty parameter list")
        }
        var seen = Set<ObjectIdentifier>()
        for p in parameters where !seen.insert(ObjectIdentifier(p)).inserted {
            throw SwiftNNError.invalidArgument("some parameters appear more than once in the parameter list")
        }
        var allRules = rules
        allRules["lr"] = HyperparameterRule(label: "learning rate")
        allRules["maximize"] = HyperparameterRule(label: "maximize flag (0 or 1)", below: 2)
        var hyperparameters = hyperparameters
        hyperparameters["maximize"] = hyperparameters["maximize"] ?? 0
        for (name, value) in hyperparameters { try allRules[name]?.check(value) }
        self.parameters = parameters
        self.hyperparameters = hyperparameters
        self.rules = allRules
        self.state = Array(repeating: [:], count: parameters.count)
    }

    /// The learning rate of the group (`param_group['lr']`).
    public var lr: Double { hyperparameters["lr"] ?? 0 }

    /// The learning rate as float32. The setter expects a validated value; use
    /// `setHyperparameter("lr", _:)` for checked input.
    public var learningRate: Float {
        get { Float(lr) }
        set { hyperparameters["lr"] = Double(newValue) }
    }

    /// PyTorch's `maximize`: ascend the objective (every update uses −∇).
    public var maximize: Bool {
        get { h("maximize") != 0 }
        set { hyperparameters["maximize"] = newValue ? 1 : 0 }
    }

    /// +1, or −1 when maximizing: the factor every step applies to the gradient first.
    var gradientSign: Float { maximize ? -1 : 1 }

    /// Whether the optimizer has a hyperparameter of that name.
    public func hasHyperparameter(_ name: String) -> Bool { rules[name] != nil }

    public func hyperparameter(_ name: String) throws -> Double {
        guard let value = hyperparameters[name] else {
            throw SwiftNNError.invalidArgument("\(type(of: self)) has no hyperparameter '\(name)'")
        }
        return value
    }

    /// Changes a hyperparameter for the following steps, validated as at construction.
    public func setHyperparameter(_ name: String, _ value: Double) throws {
        guard let rule = rules[name] else {
            throw SwiftNNError.invalidArgument("\(type(of: self)) has no hyperparameter '\(name)'")
        }
        try rule.check(value)
        hyperparameters[name] = value
    }

    /// The value of a hyperparameter the subclass declared (0 if it did not).
    @inline(__always) func h(_ name: String) -> Double { hyperparameters[name] ?? 0 }

    /// Applies one update to every parameter that has a gradient.
    open func step() throws {
        throw SwiftNNError.runtime("\(type(of: self)) does not implement step()")
    }

    /// Clears the gradients (set to none, PyTorch's default).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }

    // MARK: State

    /// Structural choices fixed at construction (`nesterov`, `amsgrad`, `centered`),
    /// shown with the hyperparameters by `options` (OptimizerOptions.swift).
    open var flags: [(name: String, value: Bool)] { [] }

    /// The names of the state buffers this optimizer may keep per parameter.
    open var stateNames: [String] { [] }

    /// Every state buffer as (parameter index, name, tensor), by index then name.
    public func stateEntries() -> [(index: Int, name: String, tensor: Tensor)] {
        state.enumerated().flatMap { index, buffers in
            buffers.keys.sorted().map { (index, $0, buffers[$0]!) }
        }
    }

    /// Replaces one state buffer with a copy of `tensor` (`load_state_dict`).
    public func loadState(index: Int, name: String, tensor: Tensor) throws {
        guard index >= 0 && index < parameters.count else {
            throw SwiftNNError.outOfRange("state index \(index) out of range for \(parameters.count) parameters")
        }
        guard stateNames.contains(name) else {
            throw SwiftNNError.invalidArgument("\(type(of: self)) has no state named '\(name)' "
                                               + "(expected one of \(stateNames.joined(separator: ", ")))")
        }
        if name == "step" {
            guard tensor.count == 1, let value = try? tensor.item(), value >= 0, value == value.rounded() else {
                throw SwiftNNError.invalidArgument("state 'step' must be one non-negative whole number")
            }
            state[index]["step"] = Tensor(value)
            return
        }
        let shape = parameters[index].shape
        guard tensor.shape == shape else {
            throw SwiftNNError.invalidArgument("state '\(name)' of parameter \(index) has shape "
                                               + "\(describe(tensor.shape)) but the parameter has shape \(describe(shape))")
        }
        state[index][name] = try tensor.clonedData()
    }

    /// Forgets all state (as a new optimizer would start).
    public func clearState() {
        state = Array(repeating: [:], count: parameters.count)
    }

    /// The element pointer of a state buffer, created filled with `fill` on first use.
    func buffer(_ name: String, _ index: Int, fill: Float = 0) throws -> UnsafeMutablePointer<Float> {
        if let existing = state[index][name] { return existing.data }
        let created = try Tensor.full(parameters[index].shape, value: fill)
        state[index][name] = created
        return created.data
    }

    /// Runs an elementwise update over 0..<count, split across the thread pool for large
    /// tensors (the result does not depend on the split).
    @inline(__always) func elementwise(_ count: Int, _ body: (Range<Int>) -> Void) {
        ThreadPool.shared.parallelFor(count, grain: 1 << 15, body)
    }

    /// Adds one to the parameter's `step` state (a float32 0-d tensor, as PyTorch's) and returns the new count.
    func advanceStep(_ index: Int) -> Double {
        guard let step = state[index]["step"] else {
            state[index]["step"] = Tensor(1)
            return 1
        }
        step.data[0] += 1
        return Double(step.data[0])
    }
}

/// The valid range of a hyperparameter and the words PyTorch uses when it is out of it
/// ("Invalid \(label): \(value)").
public struct HyperparameterRule: Sendable {
    public var label: String
    public var low: Double
    /// Values must stay below this (exclusive), e.g. 1 for betas.
    public var below: Double

    public init(label: String, low: Double = 0, below: Double = .infinity) {
        self.label = label
        self.low = low
        self.below = below
    }

    public func check(_ value: Double) throws {
        guard value >= low && value < below && value.isFinite else {
            throw SwiftNNError.invalidArgument("Invalid \(label): \(value)")
        }
    }

    public static func nonNegative(_ label: String) -> HyperparameterRule { HyperparameterRule(label: label) }
    public static let any = HyperparameterRule(label: "value", low: -.infinity)
}

/// `base` to the power of a whole step count, by squaring (no libm needed).
func power(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0, b = base, n = Int(exponent)
    while n > 0 {
        if n & 1 == 1 { result *= b }
        b *= b
        n >>= 1
    }
    return result
}
