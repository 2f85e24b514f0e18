/// A scheduler's position (PyTorch's `last_epoch`, `base_lrs`, `_last_lr`,
/// `_step_count`) and constructor settings as JSON by PyTorch's attribute names,
/// so bindings read them from the engine instead of keeping copies.
extension LRScheduler: OptionHolder {
    public var optionsJSON: JSON {
        .object([("last_epoch", lastEpoch.json), ("base_lrs", baseLRs.json), ("_last_lr", lastLRs.json),
                 ("_step_count", stepCount.json)] + settings.map { ($0.name, $0.value) })
    }

    public func option(_ name: String) throws -> JSON {
        guard let value = optionsJSON[name] else {
            throw SwiftNNError.invalidArgument("\(type(of: self)) has no attribute '\(name)'")
        }
        return value
    }

    /// `restore` from the JSON of `optionsJSON` (a saved state_dict's position).
    public func restore(from state: JSON) throws {
        func value<T: OptionValue>(_ key: String) throws -> T {
            guard let json = state[key] else { throw SwiftNNError.invalidArgument("scheduler state lacks '\(key)'") }
            return try T(json: json, option: key)
        }
        try restore(lastEpoch: try value("last_epoch"), stepCount: try value("_step_count"),
                    baseLRs: try value("base_lrs"), lastLRs: try value("_last_lr"))
    }
}
