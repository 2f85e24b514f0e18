#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps freed large tensor buffers for reuse by the next allocation of the same
/// size. A training step frees and reallocates the same activation sizes every
/// iteration; without reuse, each large buffer comes fresh from mmap and every
/// page is faulted in and zeroed by the kernel again (measured ~10% of an
/// MLP-Mixer step). Bounded: past `capacityBytes` the oldest buffers are freed.
enum BufferCache {
    /// Buffers below this size come from malloc's heap, which reuses them itself.
    static let minimumBytes = 1 << 18
    static let capacityBytes = 1 << 30

    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    /// Oldest first, so eviction frees what has waited longest.
    nonisolated(unsafe) private static var entries: [(bytes: Int, pointer: UnsafeMutableRawPointer)] = []
    nonisolated(unsafe) private static var cachedBytes = 0

    /// A 64-byte-aligned buffer of `bytes`, reused if one is cached; nil when the system is out of memory.
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer? {
        if bytes >= minimumBytes {
            pthread_mutex_lock(lock)
            // Newest match first: its pages are the likeliest still in cache.
            if let i = entries.lastIndex(where: { $0.bytes == bytes }) {
                let pointer = entries.remove(at: i).pointer
                cachedBytes -= bytes
                pthread_mutex_unlock(lock)
                return pointer
            }
            pthread_mutex_unlock(lock)
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0 else { return nil }
        return raw
    }

    /// Returns a buffer from `allocate`; large ones are kept for reuse.
    static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= minimumBytes, bytes <= capacityBytes else { free(pointer); return }
        var evicted: [UnsafeMutableRawPointer] = []
        pthread_mutex_lock(lock)
        entries.append((bytes, pointer))
        cachedBytes += bytes
        var drop = 0
        while cachedBytes > capacityBytes {
            cachedBytes -= entries[drop].bytes
            evicted.append(entries[drop].pointer)
            drop += 1
        }
        if drop > 0 { entries.removeFirst(drop) }
        pthread_mutex_unlock(lock)
        for p in evicted { free(p) }
    }

    /// Frees every cached buffer (tests; callers that want the memory back).
    static func purge() {
        pthread_mutex_lock(lock)
        let all = entries
        entries = []
        cachedBytes = 0
        pthread_mutex_unlock(lock)
        for e in all { free(e.pointer) }
    }

    static var cachedByteCount: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return cachedBytes
    }
}
