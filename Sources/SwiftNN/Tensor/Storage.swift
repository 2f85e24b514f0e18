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
    /// Set for a window into another storage (a parameter's slot in a flat gradient buffer):
    /// that storage stays alive while the window does, and frees the memory itself.
    private let parent: TensorStorage?
    /// Bumped by every in-place write, so autograd can tell that a value its
    /// backward saved was overwritten after the forward (PyTorch's version counter).
    var version = 0
    /// Set once a view recorded by autograd shares this storage: an in-place op
    /// recorded through one alias leaves the others' histories stale.
    var hasRecordedViews = false
    /// The version written by the last in-place op recorded through a shared view:
    /// a tensor over this storage made before it no longer has a valid history.
    var rebasedAtVersion = -1

    /// Uninitialised storage: callers must write every element. Throws instead of
    /// trapping when the system cannot provide the memory, so an impossible
    /// request from Python becomes an exception rather than an abort.
    init(uninitializedCount count: Int) throws {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, let raw = BufferCache.allocate(bytes: bytes) else {
            throw SwiftNNError.runtime("cannot allocate \(count) float32 elements (\(count &* 4) bytes): out of memory")
        }
        self.count = count
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        parent = nil
    }

    /// `count` floats of `parent` from `offset` on, shared, not copied.
    init(window parent: TensorStorage, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= parent.count, "storage window out of range")
        self.parent = parent
        self.count = count
        base = parent.base + offset
    }

    convenience init(repeating value: Float, count: Int) throws {
        try self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    deinit {
        if parent == nil { BufferCache.release(base, bytes: max(count, 1) &* MemoryLayout<Float>.stride) }
    }
}
