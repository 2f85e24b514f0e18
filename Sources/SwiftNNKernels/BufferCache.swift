#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recycles large buffers between training steps.
///
/// A training step allocates the same large activations, gradients and
/// im2col/packing buffers every time. glibc returns blocks this large to the
/// system on free (mmap/trim), so each step would fault every page in again:
/// normal_CNN spent ~15% of a step in page faults. Freed blocks are kept here by
/// size instead and handed back to the next request of the same size.
///
/// Blocks below `minimumBytes` go straight to malloc, which recycles those well.
/// The cache holds at most `limitBytes` (`SWIFTNN_BUFFER_CACHE_MB`, default
/// 1024; 0 turns caching off); a block released over the limit is freed.
public enum BufferCache {
    /// Smaller blocks come from malloc's own free lists.
    package static let minimumBytes = 64 << 10
    package static let alignment = 64

    private static let state = LockedState()

    /// At most this many bytes stay cached; settable for tests and tuning.
    public static var limitBytes: Int {
        get { state.withLock { $0.limit } }
        set { state.withLock { $0.limit = max(0, newValue); $0.trim() } }
    }

    /// Debugging aid: fill every block with NaN as it enters the cache, so a
    /// kernel that reads memory it never wrote shows up as NaN in its results.
    package static var poisonsReleasedBlocks: Bool {
        get { state.withLock { $0.poison } }
        set { state.withLock { $0.poison = newValue } }
    }

    /// Bytes currently held for reuse (not in use by any tensor).
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// A 64-byte-aligned block of at least `bytes` bytes, or nil when the system
    /// has no memory left. Pair with `release(_:bytes:)` with the same `bytes`.
    package static func allocate(bytes: Int) -> UnsafeMutableRawPointer? {
        let size = bucketSize(bytes)
        if size >= minimumBytes, let reused = state.withLock({ $0.take(size) }) {
            return reused
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, size) == 0 else { return nil }
        return raw
    }

    /// Returns a block from `allocate(bytes:)`; it is kept for reuse while the
    /// cache is under its limit.
    package static func release(_ block: UnsafeMutableRawPointer, bytes: Int) {
        let size = bucketSize(bytes)
        if size >= minimumBytes, state.withLock({ $0.keep(block, size: size) }) { return }
        free(block)
    }

    /// Frees every cached block (memory in use by tensors is untouched).
    public static func empty() {
        state.withLock { $0.freeAll() }
    }

    /// Requests share a block when they round to the same page count.
    package static func bucketSize(_ bytes: Int) -> Int {
        let page = 4096
        return max(bytes, 1) < minimumBytes ? max(bytes, 1) : (bytes &+ page &- 1) / page &* page
    }

    private struct Blocks {
        package var bySize: [Int: [UnsafeMutableRawPointer]] = [:]
        package var cachedBytes = 0
        package var poison = false
        package var limit: Int = {
            guard let text = getenv("SWIFTNN_BUFFER_CACHE_MB"), let mb = Int(String(cString: text)), mb >= 0 else {
                return 1024 << 20
            }
            return mb << 20
        }()

        package mutating func take(_ size: Int) -> UnsafeMutableRawPointer? {
            guard let block = bySize[size]?.popLast() else { return nil }
            cachedBytes -= size
            return block
        }

        package mutating func keep(_ block: UnsafeMutableRawPointer, size: Int) -> Bool {
            guard cachedBytes + size <= limit else { return false }
            if poison { block.initializeMemory(as: Float.self, repeating: .nan, count: size / 4) }
            bySize[size, default: []].append(block)
            cachedBytes += size
            return true
        }

        /// Frees blocks until the cache fits its limit.
        package mutating func trim() {
            for size in bySize.keys.sorted(by: >) where cachedBytes > limit {
                while cachedBytes > limit, let block = bySize[size]?.popLast() {
                    free(block)
                    cachedBytes -= size
                }
            }
        }

        package mutating func freeAll() {
            for blocks in bySize.values { blocks.forEach { free($0) } }
            bySize = [:]
            cachedBytes = 0
        }
    }

    /// The block table behind a pthread mutex (allocations come from every thread).
    private final class LockedState: @unchecked Sendable {
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var blocks = Blocks()

        package init() { pthread_mutex_init(mutex, nil) }

        package func withLock<T>(_ body: (inout Blocks) -> T) -> T {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return body(&blocks)
        }
    }
}
