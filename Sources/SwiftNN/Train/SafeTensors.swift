/// The safetensors format: an 8-byte little-endian header length N, N bytes of
/// JSON (`{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {..}}`,
/// padded with spaces to a multiple of 8), then the data buffer the offsets
/// point into. This file holds the header codec and every structural check;
/// Checkpoint.swift does the file I/O and the tensor conversion.

/// Element types a safetensors file may hold. The engine computes in float32,
/// so every type is read into float32; F32 and I64 are written.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// The writer's order (the `safetensors` package's): wider types first, then by name.
    var writeRank: Int { SafeTensorsDType.allCases.firstIndex(of: self)! }
}

/// One tensor of a header; offsets are relative to the start of the data buffer.
public struct SafeTensorsEntry: Equatable, Sendable {
    public var name: String
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var begin: Int
    public var end: Int

    public init(name: String, dtype: SafeTensorsDType, shape: [Int], begin: Int = 0, end: Int = 0) {
        (self.name, self.dtype, self.shape, self.begin, self.end) = (name, dtype, shape, begin, end)
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

public struct SafeTensorsHeader {
    /// Larger headers are refused before anything is allocated (as the `safetensors` package does).
    public static let maxHeaderSize = 100_000_000
    /// Deeper tensors cannot cross the C ABI.
    public static let maxRank = 16

    /// Entries in header order.
    public var entries: [SafeTensorsEntry]
    public var metadata: [(key: String, value: String)]

    public init(entries: [SafeTensorsEntry], metadata: [(key: String, value: String)] = []) {
        self.entries = entries
        self.metadata = metadata
    }

    // MARK: Writing

    /// Lays out entries the way the `safetensors` package does (wider dtypes first,
    /// then by name; contiguous offsets from 0), so the same tensors give the same bytes.
    /// Entry offsets are ignored and recomputed.
    public static func layout(_ entries: [SafeTensorsEntry], metadata: [(key: String, value: String)] = [],
                              source: String) throws -> SafeTensorsHeader {
        var seen = Set<String>()
        for entry in entries {
            guard entry.name != "__metadata__" else {
                throw SwiftNNError.invalidArgument("\(source): '__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(entry.name).inserted else {
                throw SwiftNNError.invalidArgument("\(source): duplicate tensor name '\(entry.name)'")
            }
        }
        var metadataKeys = Set<String>()
        for item in metadata where !metadataKeys.insert(item.key).inserted {
            throw SwiftNNError.invalidArgument("\(source): duplicate metadata key '\(item.key)'")
        }
        var sorted = entries.sorted {
            $0.dtype.writeRank != $1.dtype.writeRank
                ? $0.dtype.writeRank > $1.dtype.writeRank : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var offset = 0
        for i in sorted.indices {
            sorted[i].begin = offset
            offset += try byteCount(sorted[i].shape, sorted[i].dtype, sorted[i].name, source)
            sorted[i].end = offset
        }
        return SafeTensorsHeader(entries: sorted, metadata: metadata)
    }

    /// The 8-byte length and the JSON text, padded with spaces so the data starts 8-byte aligned.
    public func encoded() -> [UInt8] {
        var members: [(key: String, value: JSON)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.map { ($0.key, JSON.string($0.value)) })))
        }
        for e in entries {
            members.append((e.name, .object([
                ("dtype", .string(e.dtype.rawValue)),
                ("shape", .array(e.shape.map { .number(Double($0)) })),
                ("data_offsets", .array([.number(Double(e.begin)), .number(Double(e.end))])),
            ])))
        }
        var text = Array(JSON.object(members).text.utf8)
        text += [UInt8](repeating: 0x20, count: (8 - text.count % 8) % 8)
        var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(text.count) >> (8 * $0)) }
        out += text
        return out
    }

    // MARK: Reading

    /// Reads the 8-byte little-endian header length, checked against the cap and the file size.
    public static func headerLength(_ prefix: [UInt8], fileSize: Int, source: String) throws -> Int {
        guard prefix.count == 8, fileSize >= 8 else {
            throw SwiftNNError.io("\(source): file too short (\(fileSize) bytes) to be a safetensors file: "
                + "it must start with an 8-byte header length")
        }
        let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maxHeaderSize) else {
            throw SwiftNNError.io("\(source): header length \(n) exceeds the limit of \(maxHeaderSize) bytes "
                + "(corrupted or not a safetensors file)")
        }
        guard Int(n) <= fileSize - 8 else {
            throw SwiftNNError.io("\(source): header length \(n) runs past the end of the file (\(fileSize) bytes): "
                + "the file is truncated or not a safetensors file")
        }
        guard n >= 2 else { throw SwiftNNError.io("\(source): header length \(n) is too small for a JSON header") }
        return Int(n)
    }

    /// Parses and validates a header against the size of the data buffer that follows it.
    public static func parse(_ bytes: [UInt8], dataLength: Int, source: String) throws -> SafeTensorsHeader {
        func bad(_ message: String) -> SwiftNNError { .io("\(source): \(message)") }
        guard bytes.first == UInt8(ascii: "{") else { throw bad("the header does not start with '{'") }
        let json: JSON
        do {
            json = try JSON.parse(bytes)
        } catch {
            throw bad("the header is not valid JSON (\(error))")
        }
        guard let members = json.objectValue else { throw bad("the header is not a JSON object") }
        var header = SafeTensorsHeader(entries: [])
        var seen = Set<String>()
        for (key, value) in members {
            guard seen.insert(key).inserted else { throw bad("duplicate key '\(key)' in the header") }
            if key == "__metadata__" {
                guard let items = value.objectValue else { throw bad("__metadata__ is not an object") }
                header.metadata = try items.map { item in
                    guard let text = item.value.stringValue else {
                        throw bad("__metadata__ value of '\(item.key)' is not a string")
                    }
                    return (item.key, text)
                }
            } else {
                header.entries.append(try entry(key, value, source: source))
            }
        }
        try checkCoverage(header.entries, dataLength: dataLength, source: source)
        return header
    }

    private static func entry(_ name: String, _ value: JSON, source: String) throws -> SafeTensorsEntry {
        func bad(_ message: String) -> SwiftNNError { .io("\(source): tensor '\(name)': \(message)") }
        guard value.objectValue != nil else { throw bad("expected an object with dtype, shape and data_offsets") }
        guard let dtypeName = value["dtype"]?.stringValue else { throw bad("missing or non-string dtype") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw bad("unsupported dtype '\(dtypeName)' (supported: \(known))")
        }
        guard let dims = value["shape"]?.arrayValue else { throw bad("missing shape") }
        let shape = try dims.map { d -> Int in
            guard let n = d.intValue, n >= 0 else { throw bad("shape must hold non-negative integers, got \(d.text)") }
            return n
        }
        guard shape.count <= maxRank else { throw bad("rank \(shape.count) exceeds the \(maxRank) dimensions supported") }
        guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue, begin >= 0, begin <= end else {
            throw bad("data_offsets must be [begin, end] with 0 <= begin <= end, got \(value["data_offsets"]?.text ?? "nothing")")
        }
        let expected = try byteCount(shape, dtype, name, source)
        guard end - begin == expected else {
            throw bad("data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(describe(shape)) "
                + "of \(dtype.rawValue) needs \(expected)")
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// Entries must tile the buffer exactly: no gap, no overlap, nothing past its end or left over.
    private static func checkCoverage(_ entries: [SafeTensorsEntry], dataLength: Int, source: String) throws {
        var covered = 0
        var previous: String?
        for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard e.end <= dataLength else {
                throw SwiftNNError.io("\(source): tensor '\(e.name)' data_offsets [\(e.begin), \(e.end)] run past the end "
                    + "of the \(dataLength)-byte data buffer (truncated file?)")
            }
            if e.begin < covered {
                throw SwiftNNError.io("\(source): tensor '\(e.name)' data_offsets [\(e.begin), \(e.end)] overlap "
                    + "tensor '\(previous ?? "")'")
            }
            if e.begin > covered {
                throw SwiftNNError.io("\(source): \(e.begin - covered) bytes of the data buffer before tensor "
                    + "'\(e.name)' belong to no tensor")
            }
            covered = e.end
            previous = e.name
        }
        guard covered == dataLength else {
            throw SwiftNNError.io("\(source): the data buffer holds \(dataLength) bytes but the tensors cover \(covered) "
                + "(trailing bytes or a wrong header)")
        }
    }

    /// shape × dtype size, refusing overflow.
    static func byteCount(_ shape: [Int], _ dtype: SafeTensorsDType, _ name: String, _ source: String) throws -> Int {
        var bytes = dtype.size
        for d in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow, d >= 0 else {
                throw SwiftNNError.io("\(source): tensor '\(name)': shape \(describe(shape)) is too large")
            }
            bytes = product
        }
        return bytes
    }
}
