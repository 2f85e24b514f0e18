/// Owns one contiguous, 64-byte-aligned float32 buffer. Views created by
/// `reshape` share a storage; every op writes into a fresh one.
final class TensorStorage {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// Uninitialised storage: callers must write every element.
    init(uninitializedCount count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) &* 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
