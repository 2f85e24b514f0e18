import SwiftNN

/// `count` handles from a C array, each checked for null.
func handleList<T: AnyObject>(_ handles: UnsafePointer<OpaquePointer?>?, _ count: Int64, as type: T.Type,
                              _ role: String) throws -> [T] {
    guard count >= 0, count == 0 || handles != nil else {
        throw SwiftNNError.invalidArgument("invalid \(role) array (count \(count))")
    }
    return try (0..<Int(count)).map { try borrowed(handles![$0], as: T.self, "\(role) \($0)") }
}

/// `kind` is PyTorch's class name ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"), `config`
/// a JSON object of its hyperparameters by PyTorch's names (NULL or "{}" for the defaults).
@_cdecl("swiftnn_optimizer_new")
public func swiftnn_optimizer_new(_ kind: UnsafePointer<CChar>?, _ params: UnsafePointer<OpaquePointer?>?,
                                  _ count: Int64, _ config: UnsafePointer<CChar>?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        let parameters = try handleList(params, count, as: Tensor.self, "parameter")
        out.pointee = retained(try OptimizerKinds.make(try nameArg(kind), parameters: parameters,
                                                       config: config.map { String(cString: $0) }))
    }
}

private func optimizerArg(_ o: OpaquePointer?) throws -> Optimizer {
    try borrowed(o, as: Optimizer.self, "optimizer")
}

@_cdecl("swiftnn_optimizer_step")
public func swiftnn_optimizer_step(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).step() }
}

@_cdecl("swiftnn_optimizer_zero_grad")
public func swiftnn_optimizer_zero_grad(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).zeroGrad() }
}

private func nameArg(_ name: UnsafePointer<CChar>?) throws -> String {
    guard let name else { throw SwiftNNError.invalidArgument("name is a null pointer") }
    return String(cString: name)
}

/// A param-group setting ("lr", "betas", "nesterov", ...) as JSON text, written like
/// swiftnn_module_repr; a NULL name gives every setting as one JSON object.
@_cdecl("swiftnn_optimizer_get_option")
public func swiftnn_optimizer_get_option(_ o: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                         _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded { try writeOption(try optimizerArg(o), name, buf, capacity, length) }
}

/// Changes a setting for the following steps from JSON text ("0.01", "[0.9, 0.99]").
@_cdecl("swiftnn_optimizer_set_option")
public func swiftnn_optimizer_set_option(_ o: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ value: UnsafePointer<CChar>?) -> Int32 {
    guarded { try optimizerArg(o).setOption(try nameArg(name), try JSON.parse(try nameArg(value))) }
}

@_cdecl("swiftnn_optimizer_state_count")
public func swiftnn_optimizer_state_count(_ o: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let count = try optimizerArg(o).stateEntries().count
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(count)
    }
}

@_cdecl("swiftnn_optimizer_state_entry")
public func swiftnn_optimizer_state_entry(_ o: OpaquePointer?, _ index: Int64,
                                          _ paramIndex: UnsafeMutablePointer<Int64>?,
                                          _ name: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                          _ nameLength: UnsafeMutablePointer<Int64>?,
                                          _ tensor: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let entries = try optimizerArg(o).stateEntries()
        guard index >= 0 && index < Int64(entries.count) else {
            throw SwiftNNError.outOfRange("state entry \(index) out of range for \(entries.count) entries")
        }
        let entry = entries[Int(index)]
        writeString(entry.name, name, capacity, nameLength)
        paramIndex?.pointee = Int64(entry.index)
        tensor?.pointee = retained(entry.tensor)
    }
}

@_cdecl("swiftnn_optimizer_load_state")
public func swiftnn_optimizer_load_state(_ o: OpaquePointer?, _ paramIndex: Int64, _ name: UnsafePointer<CChar>?,
                                         _ tensor: OpaquePointer?) -> Int32 {
    guarded {
        try optimizerArg(o).loadState(index: Int(paramIndex), name: try nameArg(name),
                                      tensor: try tensorArg(tensor, "state tensor"))
    }
}

@_cdecl("swiftnn_optimizer_clear_state")
public func swiftnn_optimizer_clear_state(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).clearState() }
}

@_cdecl("swiftnn_clip_grad_norm")
public func swiftnn_clip_grad_norm(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ maxNorm: Double,
                                   _ normType: Double, _ errorIfNonfinite: Int32,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        let tensors = try handleList(params, count, as: Tensor.self, "parameter")
        out.pointee = retained(try clipGradNorm(tensors, maxNorm: maxNorm, normType: normType,
                                                errorIfNonfinite: errorIfNonfinite != 0))
    }
}

@_cdecl("swiftnn_optimizer_free")
public func swiftnn_optimizer_free(_ o: OpaquePointer?) -> Int32 {
    release(o, as: Optimizer.self)
    return statusOK
}
