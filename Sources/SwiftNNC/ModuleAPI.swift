import SwiftNN

// Engine modules: constructors, forward, mode and state-dict access.

private func make(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ build: () throws -> Module) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try build())
    }
}

private func dimension(_ value: Int64, _ role: String) throws -> Int {
    guard value >= 0 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) must be between 0 and \(Int32.max), got \(value)")
    }
    return Int(value)
}

@_cdecl("swiftnn_linear_new")
public func swiftnn_linear_new(_ inFeatures: Int64, _ outFeatures: Int64, _ bias: Int32,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) {
        try Linear(try dimension(inFeatures, "in_features"), try dimension(outFeatures, "out_features"), bias: bias != 0)
    }
}

@_cdecl("swiftnn_relu_new")
public func swiftnn_relu_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 { make(out) { ReLU() } }

@_cdecl("swiftnn_sigmoid_new")
public func swiftnn_sigmoid_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 { make(out) { Sigmoid() } }

@_cdecl("swiftnn_tanh_new")
public func swiftnn_tanh_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 { make(out) { Tanh() } }

@_cdecl("swiftnn_identity_new")
public func swiftnn_identity_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 { make(out) { Identity() } }

@_cdecl("swiftnn_softmax_new")
public func swiftnn_softmax_new(_ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) { Softmax(dim: Int(dim)) }
}

@_cdecl("swiftnn_log_softmax_new")
public func swiftnn_log_softmax_new(_ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) { LogSoftmax(dim: Int(dim)) }
}

@_cdecl("swiftnn_dropout_new")
public func swiftnn_dropout_new(_ p: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) { try Dropout(p: p) }
}

@_cdecl("swiftnn_flatten_new")
public func swiftnn_flatten_new(_ startDim: Int64, _ endDim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) { Flatten(startDim: Int(startDim), endDim: Int(endDim)) }
}

/// `config` is a JSON object of keyword arguments (NULL or "{}" for the defaults).
@_cdecl("swiftnn_model_new")
public func swiftnn_model_new(_ name: UnsafePointer<CChar>?, _ config: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) {
        guard let name else { throw SwiftNNError.invalidArgument("model name is null") }
        return try Zoo.make(String(cString: name), config: config.map { String(cString: $0) })
    }
}

@_cdecl("swiftnn_module_free")
public func swiftnn_module_free(_ m: OpaquePointer?) -> Int32 {
    release(m, as: Module.self)
    return statusOK
}

@_cdecl("swiftnn_module_forward")
public func swiftnn_module_forward(_ m: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try moduleArg(m)(try tensorArg(x, "input")))
    }
}

@_cdecl("swiftnn_module_set_training")
public func swiftnn_module_set_training(_ m: OpaquePointer?, _ training: Int32) -> Int32 {
    guarded { try moduleArg(m).train(training != 0) }
}

@_cdecl("swiftnn_module_is_training")
public func swiftnn_module_is_training(_ m: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        let m = try moduleArg(m)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = m.training ? 1 : 0
    }
}

@_cdecl("swiftnn_module_type_name")
public func swiftnn_module_type_name(_ m: OpaquePointer?, _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                     _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded { writeString(try moduleArg(m).typeName, buf, capacity, length) }
}

@_cdecl("swiftnn_module_repr")
public func swiftnn_module_repr(_ m: OpaquePointer?, _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded { writeString(try moduleArg(m).description, buf, capacity, length) }
}

@_cdecl("swiftnn_module_state_count")
public func swiftnn_module_state_count(_ m: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let m = try moduleArg(m)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(m.stateEntries().count)
    }
}

@_cdecl("swiftnn_module_state_entry")
public func swiftnn_module_state_entry(_ m: OpaquePointer?, _ index: Int64, _ name: UnsafeMutablePointer<CChar>?,
                                       _ capacity: Int64, _ nameLength: UnsafeMutablePointer<Int64>?,
                                       _ kind: UnsafeMutablePointer<Int32>?, _ tensor: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let entries = try moduleArg(m).stateEntries()
        guard index >= 0 && index < entries.count else {
            throw SwiftNNError.outOfRange("state entry index \(index) is out of range for \(entries.count) entries")
        }
        let entry = entries[Int(index)]
        writeString(entry.name, name, capacity, nameLength)
        kind?.pointee = entry.isParameter ? 0 : 1
        tensor?.pointee = retained(entry.tensor)
    }
}

@_cdecl("swiftnn_module_set_parameter")
public func swiftnn_module_set_parameter(_ m: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ t: OpaquePointer?) -> Int32 {
    guarded {
        let m = try moduleArg(m)
        guard let name else { throw SwiftNNError.invalidArgument("parameter name is null") }
        try m.replaceParameter(String(cString: name), with: try tensorArg(t, "parameter"))
    }
}
