#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A named tensor of a checkpoint and the dtype it is stored as in the file.
public struct CheckpointEntry {
    public var name: String
    public var tensor: Tensor
    public var dtype: SafeTensorsDType

    public init(_ name: String, _ tensor: Tensor, dtype: SafeTensorsDType = .f32) {
        (self.name, self.tensor, self.dtype) = (name, tensor, dtype)
    }
}

/// Named tensors in a safetensors file. Every dtype is read into float32 (integers
/// only when float32 holds them exactly); F32 and I64 are written. Saving is atomic:
/// the data goes to a temporary file in the target's directory, is synced, then
/// renamed over the target, so a failed save leaves the previous file as it was.
public struct Checkpoint {
    public var entries: [CheckpointEntry]
    public var metadata: [(key: String, value: String)]

    public init(entries: [CheckpointEntry], metadata: [(key: String, value: String)] = []) {
        self.entries = entries
        self.metadata = metadata
    }

    /// A module's state dict; counters PyTorch keeps as int64 are stored as I64.
    public init(module: Module, metadata: [(key: String, value: String)] = []) {
        let entries = module.stateDict().map {
            CheckpointEntry($0.name, $0.tensor, dtype: Checkpoint.isIntegerState($0.name) ? .i64 : .f32)
        }
        self.init(entries: entries, metadata: metadata)
    }

    /// State-dict keys that PyTorch stores as int64 (BatchNorm's `num_batches_tracked`).
    public static func isIntegerState(_ name: String) -> Bool {
        name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked")
    }

    /// The tensors by name, for `Module.loadStateDict`.
    public var stateDict: [String: Tensor] {
        Dictionary(entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { _, last in last })
    }

    // MARK: Saving

    public func save(to path: String) throws {
        for entry in entries {
            guard entry.dtype == .f32 || entry.dtype == .i64 else {
                throw SwiftNNError.invalidArgument("\(path): tensor '\(entry.name)': only F32 and I64 can be written, "
                    + "not \(entry.dtype.rawValue)")
            }
            if entry.dtype == .i64 { try Checkpoint.checkIntegers(entry, path) }
        }
        let header = try SafeTensorsHeader.layout(
            entries.map { SafeTensorsEntry(name: $0.name, dtype: $0.dtype, shape: $0.tensor.shape) },
            metadata: metadata, source: path)
        let tensors = stateDict
        try Checkpoint.replaceAtomically(path) { file in
            try file.write(header.encoded())
            for entry in header.entries {
                let tensor = tensors[entry.name]!
                if entry.dtype == .i64 {
                    try file.writeEncoded(tensor) { Int64($0) }
                } else {
                    try file.writeEncoded(tensor) { $0.bitPattern }
                }
            }
        }
    }

    private static func checkIntegers(_ entry: CheckpointEntry, _ path: String) throws {
        try entry.tensor.withUnsafeBufferPointer { values in
            if let bad = values.first(where: { Int64(exactly: $0) == nil }) {
                throw SwiftNNError.invalidArgument("\(path): tensor '\(entry.name)' is to be stored as I64 but holds "
                    + "\(bad), which is not an int64 value")
            }
        }
    }

    /// Writes through `body` into `<path>.tmp-<pid>-<n>`, syncs it and renames it over
    /// `path`; on any failure the temporary file is removed and `path` is untouched.
    static func replaceAtomically(_ path: String, _ body: (CFile) throws -> Void) throws {
        let temporary = "\(path).tmp-\(getpid())-\(temporaryCounter.add(1, ordering: .relaxed).oldValue)"
        let file = try CFile(temporary, mode: "wbx", purpose: "cannot create the temporary file \(temporary)", name: path)
        do {
            try body(file)
            try file.syncAndClose()
            guard rename(temporary, path) == 0 else {
                throw SwiftNNError.io("\(path): cannot replace the file: \(CFile.lastErrorText())")
            }
        } catch {
            file.abandon()
            unlink(temporary)
            throw error
        }
        CFile.syncDirectory(of: path)
    }

    // MARK: Loading

    /// Reads and validates a whole file: sizes are checked against the file's
    /// length before anything is allocated, then the header, then every value.
    public static func load(from path: String) throws -> Checkpoint {
        let file = try CFile(path, mode: "rb", purpose: "cannot open")
        let size = try file.regularFileSize()
        let headerLength = try SafeTensorsHeader.headerLength(try file.read(min(size, 8)), fileSize: size, source: path)
        let header = try SafeTensorsHeader.parse(try file.read(headerLength), dataLength: size - 8 - headerLength,
                                                 source: path)
        var tensors: [String: Tensor] = [:]
        for entry in header.entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            let bytes = try file.read(entry.end - entry.begin)
            let tensor = try Tensor(uninitializedShape: entry.shape)
            try bytes.withUnsafeBytes { try decode($0, entry, into: tensor.data, source: path) }
            tensors[entry.name] = tensor
        }
        return Checkpoint(entries: header.entries.map { CheckpointEntry($0.name, tensors[$0.name]!, dtype: $0.dtype) },
                          metadata: header.metadata)
    }

    /// Little-endian elements of `entry.dtype` into float32.
    static func decode(_ bytes: UnsafeRawBufferPointer, _ entry: SafeTensorsEntry, into out: UnsafeMutablePointer<Float>,
                       source: String) throws {
        let count = entry.elementCount
        func each<T: FixedWidthInteger>(_: T.Type, _ convert: (T) throws -> Float) rethrows {
            for i in 0..<count {
                out[i] = try convert(T(littleEndian: bytes.loadUnaligned(fromByteOffset: i &* MemoryLayout<T>.size, as: T.self)))
            }
        }
        func exact<T: BinaryInteger>(_ value: T) throws -> Float {
            guard let f = Float(exactly: value) else {
                throw SwiftNNError.io("\(source): tensor '\(entry.name)' (\(entry.dtype.rawValue)) holds \(value), "
                    + "which float32 cannot represent exactly")
            }
            return f
        }
        switch entry.dtype {
        case .f32: each(UInt32.self) { Float(bitPattern: $0) }
        case .f64: each(UInt64.self) { Float(Double(bitPattern: $0)) }
        case .f16: each(UInt16.self) { Float(Float16(bitPattern: $0)) }
        case .bf16: each(UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
        case .i64: try each(Int64.self, exact)
        case .u64: try each(UInt64.self, exact)
        case .i32: try each(Int32.self, exact)
        case .u32: try each(UInt32.self, exact)
        case .i16: each(Int16.self) { Float($0) }
        case .u16: each(UInt16.self) { Float($0) }
        case .i8: each(Int8.self) { Float($0) }
        case .u8: each(UInt8.self) { Float($0) }
        case .bool:
            try each(UInt8.self) { byte in
                guard byte <= 1 else {
                    throw SwiftNNError.io("\(source): tensor '\(entry.name)' (BOOL) holds the byte \(byte), not 0 or 1")
                }
                return Float(byte)
            }
        }
    }
}

private let temporaryCounter = Atomic<Int>(0)

extension Module {
    /// Saves `stateDict()` as a safetensors file (atomically).
    public func saveCheckpoint(to path: String, metadata: [(key: String, value: String)] = []) throws {
        try Checkpoint(module: self, metadata: metadata).save(to: path)
    }

    /// Loads a safetensors file into the parameters and buffers (see `loadStateDict`).
    public func loadCheckpoint(from path: String, strict: Bool = true) throws {
        try loadStateDict(Checkpoint.load(from: path).stateDict, strict: strict)
    }
}

/// A stdio file that reports every failure as `SwiftNNError.io` naming the file
/// (by `name`: a temporary file is named after the file it will replace).
final class CFile {
    let path: String
    private var handle: UnsafeMutablePointer<FILE>?

    init(_ file: String, mode: String, purpose: String, name: String? = nil) throws {
        path = name ?? file
        guard let handle = fopen(file, mode) else {
            throw SwiftNNError.io("\(path): \(purpose): \(CFile.lastErrorText())")
        }
        self.handle = handle
    }

    deinit { abandon() }

    static func lastErrorText() -> String { String(cString: strerror(errno)) }

    private func failure(_ what: String) -> SwiftNNError {
        .io("\(path): \(what): \(CFile.lastErrorText())")
    }

    /// The size of a regular file (a directory or device is refused).
    func regularFileSize() throws -> Int {
        var info = stat()
        guard let handle, fstat(fileno(handle), &info) == 0 else { throw failure("cannot stat") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw SwiftNNError.io("\(path): not a regular file") }
        return Int(info.st_size)
    }

    /// Exactly `count` bytes, or an error naming the shortfall.
    func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, handle) }
        guard got == count else {
            if let handle, ferror(handle) != 0 { throw failure("read error") }
            throw SwiftNNError.io("\(path): unexpected end of file (the file changed while it was read?)")
        }
        return bytes
    }

    func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else { throw failure("write error") }
    }

    /// Writes each element as `encode(value)` in little-endian order, in bounded chunks.
    func writeEncoded<T: FixedWidthInteger>(_ tensor: Tensor, _ encode: (Float) -> T) throws {
        try tensor.withUnsafeBufferPointer { values in
            var chunk = [T](repeating: 0, count: min(values.count, 1 << 16))
            var start = 0
            while start < values.count {
                let n = min(chunk.count, values.count - start)
                for i in 0..<n { chunk[i] = encode(values[start + i]).littleEndian }
                let written = chunk.withUnsafeBytes { fwrite($0.baseAddress, MemoryLayout<T>.size, n, handle) }
                guard written == n else { throw failure("write error") }
                start += n
            }
        }
    }

    /// Flushes stdio and the kernel's cache to the disk, then closes.
    func syncAndClose() throws {
        guard let handle else { return }
        self.handle = nil
        let flushed = fflush(handle) == 0 && fsync(fileno(handle)) == 0
        let error = flushed ? nil : failure("cannot write to the disk")
        guard fclose(handle) == 0, flushed else { throw error ?? failure("cannot close") }
    }

    /// Closes without reporting errors (the file is being given up).
    func abandon() {
        if let handle { fclose(handle) }
        handle = nil
    }

    /// Makes a rename durable; best effort (some file systems refuse to sync directories).
    static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
