/// A setting's value as it crosses into and out of the engine: a JSON value with
/// PyTorch's spelling (pairs as [h, w], None as null). Each type decodes itself
/// once here, for constructor configurations and for later assignments alike.
public protocol OptionValue {
    var json: JSON { get }
    /// Decodes `json`; `option` names the setting in errors.
    init(json: JSON, option: String) throws
}

/// A value of the wrong JSON type is a TypeError, as in PyTorch.
func wrongOption(_ option: String, _ expected: String, _ json: JSON) -> SwiftNNError {
    .wrongType("\(option) must be \(expected), got \(json.text)")
}

extension Int: OptionValue {
    public var json: JSON { .number(Double(self)) }
    public init(json: JSON, option: String) throws {
        guard let n = json.doubleValue, n == n.rounded() else { throw wrongOption(option, "an integer", json) }
        guard abs(n) <= Double(Int32.max) else { throw SwiftNNError.invalidArgument("\(option) is out of range: \(json.text)") }
        self = Int(n)
    }
}

/// JSON has no NaN or infinity: bindings send them as the strings "nan", "inf" and "-inf",
/// so the engine's own range checks report them.
extension Double: OptionValue {
    public var json: JSON { .number(self) }
    public init(json: JSON, option: String) throws {
        switch json {
        case .number(let n): self = n
        case .string("nan"): self = .nan
        case .string("inf"): self = .infinity
        case .string("-inf"): self = -.infinity
        default: throw wrongOption(option, "a number", json)
        }
    }
}

extension Float: OptionValue {
    /// Through the shortest decimal form, so Python reads back 1e-05, not 9.99999974e-06.
    public var json: JSON { .number(Double("\(self)") ?? Double(self)) }
    public init(json: JSON, option: String) throws {
        let n = try Double(json: json, option: option)
        guard n.isNaN || abs(n) <= Double(Float.greatestFiniteMagnitude) || n.isInfinite else {
            throw SwiftNNError.invalidArgument("\(option) is out of float32 range: \(n)")
        }
        self = Float(n)
    }
}

extension Bool: OptionValue {
    public var json: JSON { .bool(self) }
    public init(json: JSON, option: String) throws {
        guard let b = json.boolValue else { throw wrongOption(option, "True or False", json) }
        self = b
    }
}

extension String: OptionValue {
    public var json: JSON { .string(self) }
    public init(json: JSON, option: String) throws {
        guard let s = json.stringValue else { throw wrongOption(option, "a string", json) }
        self = s
    }
}

/// None is null.
extension Optional: OptionValue where Wrapped: OptionValue {
    public var json: JSON { map(\.json) ?? .null }
    public init(json: JSON, option: String) throws {
        self = json == .null ? nil : try Wrapped(json: json, option: option)
    }
}

extension Array: OptionValue where Element: OptionValue {
    public var json: JSON { .array(map(\.json)) }
    public init(json: JSON, option: String) throws {
        guard let items = json.arrayValue else { throw wrongOption(option, "a list", json) }
        self = try items.map { try Element(json: $0, option: option) }
    }
}

/// An int or a pair of ints (torch.nn.modules.utils._pair); written back as a pair.
extension Pair: OptionValue {
    public var json: JSON { .array([h.json, w.json]) }
    public init(json: JSON, option: String) throws {
        if json.intValue != nil {
            self.init(try Int(json: json, option: option))
            return
        }
        guard let items = json.arrayValue, items.count == 2, items.allSatisfy({ $0.intValue != nil }) else {
            throw wrongOption(option, "an int or a pair of ints", json)
        }
        self.init(try Int(json: items[0], option: option), try Int(json: items[1], option: option))
    }
}

/// Conv2d's padding: an int, a pair, 'valid' or 'same'.
extension ConvPadding: OptionValue {
    public var json: JSON {
        switch self {
        case .explicit(let h, let w): return Pair(h, w).json
        case .valid: return .string("valid")
        case .same: return .string("same")
        }
    }

    public init(json: JSON, option: String) throws {
        switch json.stringValue {
        case "valid": self = .valid
        case "same": self = .same
        case .some(let other):
            throw SwiftNNError.invalidArgument("Invalid padding string '\(other)', should be one of {'valid', 'same'}")
        case nil:
            let p = try Pair(json: json, option: option)
            self = .explicit(p.h, p.w)
        }
    }
}

/// An adaptive pooling size: an int, or a pair whose entries may be None (keep that input size).
public struct AdaptiveSize: OptionValue {
    public var h: Int?, w: Int?
    public init(_ h: Int?, _ w: Int?) { self.h = h; self.w = w }

    public var json: JSON {
        if let h, h == w { return h.json }
        return .array([h.json, w.json])
    }
    public init(json: JSON, option: String) throws {
        if json.intValue != nil {
            let n = try Int(json: json, option: option)
            self.init(n, n)
            return
        }
        guard let items = json.arrayValue, items.count == 2 else {
            throw wrongOption(option, "an int or a pair of ints or None", json)
        }
        self.init(try Int?(json: items[0], option: option), try Int?(json: items[1], option: option))
    }
}
