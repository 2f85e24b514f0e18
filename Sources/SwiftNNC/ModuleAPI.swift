import SwiftNN

// Engine modules: constructors, forward, mode and state-dict access.

private func make(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ build: () throws -> Module) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try build())
    }
}

/// `kind` is a layer's PyTorch class name, `config` a JSON object of its constructor
/// arguments by PyTorch's names (NULL or "{}" for the defaults).
@_cdecl("swiftnn_module_new")
public func swiftnn_module_new(_ kind: UnsafePointer<CChar>?, _ config: UnsafePointer<CChar>?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) { try ModuleKinds.make(try text(kind, "module kind"), config: config.map { String(cString: $0) }) }
}

/// One setting as JSON text; a NULL name gives every setting as one JSON object.
@_cdecl("swiftnn_module_get_option")
public func swiftnn_module_get_option(_ m: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                      _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                      _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded { try writeOption(try moduleArg(m), name, buf, capacity, length) }
}

/// Writes one setting of `holder` (every setting for a NULL name) as JSON text, like writeString.
func writeOption(_ holder: OptionHolder, _ name: UnsafePointer<CChar>?, _ buf: UnsafeMutablePointer<CChar>?,
                 _ capacity: Int64, _ length: UnsafeMutablePointer<Int64>?) throws {
    let value = try name.map { try holder.option(String(cString: $0)) } ?? holder.optionsJSON
    writeString(value.text, buf, capacity, length)
}

/// Changes one setting; `value` is JSON text (`0.1`, `null`, `[1, 2]`, `"tanh"`).
@_cdecl("swiftnn_module_set_option")
public func swiftnn_module_set_option(_ m: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                      _ value: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        try moduleArg(m).setOption(try text(name, "option name"), try JSON.parse(try text(value, "option value")))
    }
}

/// PyTorch's reset_parameters / reset_running_stats by name.
@_cdecl("swiftnn_module_reset")
public func swiftnn_module_reset(_ m: OpaquePointer?, _ what: UnsafePointer<CChar>?) -> Int32 {
    guarded { try moduleArg(m).reset(try text(what, "what to reset")) }
}

private func text(_ pointer: UnsafePointer<CChar>?, _ role: String) throws -> String {
    guard let pointer else { throw SwiftNNError.invalidArgument("\(role) is null") }
    return String(cString: pointer)
}

/// `config` is a JSON object of keyword arguments (NULL or "{}" for the defaults).
@_cdecl("swiftnn_model_new")
public func swiftnn_model_new(_ name: UnsafePointer<CChar>?, _ config: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    make(out) {
        try Zoo.make(try text(name, "model name"), config: config.map { String(cString: $0) })
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
