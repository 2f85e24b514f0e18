import SwiftNN

// Engine modules: the calls codegen/ops.toml (group "modules") cannot describe.

@_cdecl("swiftnn_module_free")
public func swiftnn_module_free(_ m: OpaquePointer?) -> Int32 {
    release(m, as: Module.self)
    return statusOK
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
