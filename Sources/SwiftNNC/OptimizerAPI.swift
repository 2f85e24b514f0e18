import SwiftNN

// Optimizers: the calls codegen/ops.toml (group "optim") cannot describe.

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

@_cdecl("swiftnn_optimizer_free")
public func swiftnn_optimizer_free(_ o: OpaquePointer?) -> Int32 {
    release(o, as: Optimizer.self)
    return statusOK
}
