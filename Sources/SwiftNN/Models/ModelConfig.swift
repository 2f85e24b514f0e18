/// Keyword arguments of a zoo model, read from a JSON object (the C ABI and
/// CLI pass them that way). Every key must be consumed: a misspelt argument is
/// an error that lists the accepted ones, not a silently ignored setting.
public struct ModelConfig {
    public let model: String
    private let values: [(key: String, value: JSON)]
    private var consumed: Set<String> = []

    public init(model: String, _ json: JSON = .object([])) throws {
        self.model = model
        switch json {
        case .null: values = []
        case .object(let members): values = members
        default: throw SwiftNNError.invalidArgument("\(model): the configuration must be a JSON object")
        }
    }

    public init(model: String, text: String?) throws {
        try self.init(model: model, text.map { try JSON.parse($0) } ?? .null)
    }

    private mutating func take(_ key: String) -> JSON? {
        consumed.insert(key)
        guard let value = values.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// The value given for `key`, null included (None is a value for some layer
    /// settings); nil when the key is absent.
    public mutating func given(_ key: String) -> JSON? {
        consumed.insert(key)
        return values.first(where: { $0.key == key })?.value
    }

    private func wrong(_ key: String, _ expected: String) -> SwiftNNError {
        .invalidArgument("\(model): argument '\(key)' must be \(expected)")
    }

    public mutating func int(_ key: String, _ defaultValue: Int) throws -> Int {
        guard let v = take(key) else { return defaultValue }
        guard let n = v.intValue else { throw wrong(key, "an integer") }
        return n
    }

    public mutating func float(_ key: String, _ defaultValue: Float) throws -> Float {
        guard let v = take(key) else { return defaultValue }
        guard let n = v.doubleValue else { throw wrong(key, "a number") }
        return Float(n)
    }

    public mutating func bool(_ key: String, _ defaultValue: Bool) throws -> Bool {
        guard let v = take(key) else { return defaultValue }
        guard let b = v.boolValue else { throw wrong(key, "true or false") }
        return b
    }

    public mutating func string(_ key: String, _ defaultValue: String) throws -> String {
        guard let v = take(key) else { return defaultValue }
        guard let s = v.stringValue else { throw wrong(key, "a string") }
        return s
    }

    public mutating func ints(_ key: String, _ defaultValue: [Int]) throws -> [Int] {
        guard let v = take(key) else { return defaultValue }
        guard let items = v.arrayValue, let ints = Optional(items.compactMap(\.intValue)), ints.count == items.count else {
            throw wrong(key, "a list of integers")
        }
        return ints
    }

    /// A layer list of channel counts with a marker string (normal_CNN's 'p', VGG's 'M'); nil marks the marker.
    public mutating func layerList(_ key: String, marker: String, _ defaultValue: [Int?]) throws -> [Int?] {
        guard let v = take(key) else { return defaultValue }
        guard let items = v.arrayValue else { throw wrong(key, "a list of integers and '\(marker)'") }
        return try items.map { item in
            if let n = item.intValue { return n }
            if item.stringValue == marker { return nil }
            throw wrong(key, "a list of integers and '\(marker)'")
        }
    }

    /// Fails on any key no reader asked for.
    public func finish() throws {
        let unknown = values.map(\.key).filter { !consumed.contains($0) }
        guard unknown.isEmpty else {
            let accepted = consumed.sorted().joined(separator: ", ")
            throw SwiftNNError.invalidArgument(
                "\(model): unexpected argument(s) \(unknown.joined(separator: ", ")); accepted: \(accepted)")
        }
    }
}

/// Activation layers by the names the reference documents use.
func activationLayer(_ name: String, model: String) throws -> Module {
    switch name.lowercased() {
    case "relu": return ReLU()
    case "leaky_relu", "leakyrelu": return LeakyReLU()
    case "sigmoid": return Sigmoid()
    case "tanh": return Tanh()
    case "gelu": return try GELU()
    case "silu", "swish": return SiLU()
    case "softmax": return Softmax(dim: 1)
    case "log_softmax": return LogSoftmax(dim: 1)
    case "identity", "none", "linear": return Identity()
    default:
        throw SwiftNNError.invalidArgument(
            "\(model): unknown activation '\(name)' (relu, leaky_relu, sigmoid, tanh, gelu, silu, softmax, log_softmax, identity)")
    }
}

/// Checks a positive size argument.
func positive(_ value: Int, _ what: String, model: String) throws -> Int {
    guard value > 0 else { throw SwiftNNError.invalidArgument("\(model): \(what) must be positive, got \(value)") }
    return value
}

/// Limits on the widths (channels, hidden sizes, image sides) and depths (counts of repeated
/// blocks) a zoo model is built from: far beyond any real network, and low enough that the
/// products computed while building cannot overflow, and that asking for a billion layers is an
/// error instead of an exhausted machine.
let maxModelWidth = 1 << 24
let maxModelDepth = 1_000

func width(_ value: Int, _ what: String, model: String) throws -> Int {
    try bounded(value, 1, maxModelWidth, what, model: model)
}

func depth(_ value: Int, _ what: String, model: String) throws -> Int {
    try bounded(value, 1, maxModelDepth, what, model: model)
}

func bounded(_ value: Int, _ low: Int, _ high: Int, _ what: String, model: String) throws -> Int {
    guard value >= low && value <= high else {
        throw SwiftNNError.invalidArgument("\(model): \(what) must be between \(low) and \(high), got \(value)")
    }
    return value
}
