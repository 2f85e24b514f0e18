#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one contiguous, 64-byte-aligned float32 buffer (from `BufferCache`). Views created by
/// `reshape` share a storage; every op writes into a fresh one.
final class TensorStorage {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// Uninitialised storage: callers must write every element. Throws instead of
    /// trapping when the system cannot provide the memory, so an impossible
    /// request from Python becomes an exception rather than an abort.
    init(uninitializedCount count: Int) throws {
        _ = HeapTuning.applied
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, let raw = BufferCache.allocate(bytes: bytes) else {
            throw SwiftNNError.runtime("cannot allocate \(count) float32 elements (\(count &* 4) bytes): out of memory")
        }
        self.count = count
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Float, count: Int) throws {
        try self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    deinit { BufferCache.release(base, bytes: max(count, 1) &* MemoryLayout<Float>.stride) }
}

/// Keeps large tensors on the reusable heap. With glibc's defaults every buffer over
/// the (dynamic, at most 32 MB) mmap threshold is mapped and unmapped per use, so each
/// training step touches fresh pages: DenseNet-BC-100 at batch 128 took 9M page faults
/// for two steps and ran 3–4× slower. Freed chunks now go back to the heap and are
/// reused by the next step's tensors of the same sizes; the peak footprint is unchanged.
enum HeapTuning {
    static let applied: Bool = {
        #if os(Linux)
        // glibc's <malloc.h> values; mallopt returns 0 (no change) where they are rejected,
        // which only costs speed.
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        let mmap = glibcMallopt(mmapThreshold, 1 << 30)
        let trim = glibcMallopt(trimThreshold, Int32.max)
        return mmap == 1 && trim == 1
        #else
        return false
        #endif
    }()
}

#if os(Linux)
// Swift's Glibc module does not export <malloc.h>.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
