import SwiftNN

// Checkpoints: safetensors files of named tensors (module save/load: group "modules").

/// The handle behind `swiftnn_checkpoint`: a loaded file's entries and metadata.
final class LoadedCheckpoint {
    let checkpoint: Checkpoint
    init(_ checkpoint: Checkpoint) { self.checkpoint = checkpoint }
}

private func pathArg(_ path: UnsafePointer<CChar>?) throws -> String {
    guard let path else { throw SwiftNNError.invalidArgument("path is null") }
    return String(cString: path)
}

private func checkpointArg(_ handle: OpaquePointer?) throws -> Checkpoint {
    try borrowed(handle, as: LoadedCheckpoint.self, "checkpoint").checkpoint
}

/// A JSON object of string values, e.g. {"format": "pt"}; null means none.
private func metadataArg(_ text: UnsafePointer<CChar>?) throws -> [(key: String, value: String)] {
    guard let text else { return [] }
    guard let members = try JSON.parse(String(cString: text)).objectValue else {
        throw SwiftNNError.invalidArgument("metadata must be a JSON object of strings")
    }
    return try members.map { member in
        guard let value = member.value.stringValue else {
            throw SwiftNNError.invalidArgument("metadata value of '\(member.key)' is not a string")
        }
        return (member.key, value)
    }
}

@_cdecl("swiftnn_checkpoint_save")
public func swiftnn_checkpoint_save(_ path: UnsafePointer<CChar>?, _ names: UnsafePointer<UnsafePointer<CChar>?>?,
                                    _ tensors: UnsafePointer<OpaquePointer?>?, _ isInt64: UnsafePointer<Int32>?,
                                    _ count: Int64, _ metadata: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        let path = try pathArg(path)
        guard count >= 0 else { throw SwiftNNError.invalidArgument("count must be non-negative, got \(count)") }
        guard count == 0 || (names != nil && tensors != nil) else {
            throw SwiftNNError.invalidArgument("names and tensors must not be null")
        }
        let entries = try (0..<Int(count)).map { i -> CheckpointEntry in
            guard let name = names![i] else { throw SwiftNNError.invalidArgument("name \(i) is null") }
            let dtype: SafeTensorsDType = (isInt64?[i] ?? 0) != 0 ? .i64 : .f32
            return CheckpointEntry(String(cString: name), try tensorArg(tensors![i], "tensor \(i)"), dtype: dtype)
        }
        try Checkpoint(entries: entries, metadata: try metadataArg(metadata)).save(to: path)
    }
}

@_cdecl("swiftnn_checkpoint_load")
public func swiftnn_checkpoint_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { LoadedCheckpoint(try Checkpoint.load(from: try pathArg(path))) }
}

@_cdecl("swiftnn_checkpoint_free")
public func swiftnn_checkpoint_free(_ c: OpaquePointer?) -> Int32 {
    release(c, as: LoadedCheckpoint.self)
    return statusOK
}

@_cdecl("swiftnn_checkpoint_count")
public func swiftnn_checkpoint_count(_ c: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let checkpoint = try checkpointArg(c)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(checkpoint.entries.count)
    }
}

@_cdecl("swiftnn_checkpoint_entry")
public func swiftnn_checkpoint_entry(_ c: OpaquePointer?, _ index: Int64, _ name: UnsafeMutablePointer<CChar>?,
                                     _ capacity: Int64, _ nameLength: UnsafeMutablePointer<Int64>?,
                                     _ dtype: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                     _ tensor: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let entries = try checkpointArg(c).entries
        guard index >= 0 && index < entries.count else {
            throw SwiftNNError.outOfRange("checkpoint entry index \(index) is out of range for \(entries.count) entries")
        }
        let entry = entries[Int(index)]
        writeString(entry.name, name, capacity, nameLength)
        if let dtype {
            returnedName.set(entry.dtype.rawValue)
            dtype.pointee = returnedName.pointer
        }
        tensor?.pointee = retained(entry.tensor)
    }
}

@_cdecl("swiftnn_checkpoint_metadata")
public func swiftnn_checkpoint_metadata(_ c: OpaquePointer?, _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                        _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let metadata = try checkpointArg(c).metadata
        writeString(JSON.object(metadata.map { ($0.key, JSON.string($0.value)) }).text, buf, capacity, length)
    }
}

