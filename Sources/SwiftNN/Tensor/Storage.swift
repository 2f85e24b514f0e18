#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one contiguous, 64-byte-aligned float32 buffer. Views created by
/// `reshape` share a storage; every op writes into a fresh one.
final class TensorStorage {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// Uninitialised storage: callers must write every element. Throws instead of
    /// trapping when the system cannot provide the memory, so an impossible
    /// request from Python becomes an exception rather than an abort.
    init(uninitializedCount count: Int) throws {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        var raw: UnsafeMutableRawPointer?
        guard !overflow, posix_memalign(&raw, 64, bytes) == 0, let raw else {
            throw SwiftNNError.runtime("cannot allocate \(count) float32 elements (\(count &* 4) bytes): out of memory")
        }
        self.count = count
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Float, count: Int) throws {
        try self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    deinit { free(base) }
}
