#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One persistent pool of worker threads for every parallel kernel.
///
/// `parallelFor` splits an index range into one contiguous chunk per thread; the
/// calling thread runs the first chunk itself, so a pool of N threads starts
/// N − 1 workers. Work is split only when each chunk gets at least `grain`
/// items, so small problems never pay for a wake-up. Nested calls (a parallel
/// kernel inside a parallel region) run serially on the calling thread.
public final class ThreadPool {
    public static let shared = ThreadPool(threads: ThreadPool.defaultThreadCount())

    public private(set) var threadCount: Int
    private var workers: [pthread_t] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Serialises whole parallel regions from different caller threads.
    private let regionLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    // The current region, guarded by `mutex`.
    private var generation = 0
    private var task: ((Int) -> Void)?
    private var remaining = 0
    private var shuttingDown = false

    private static let insideRegionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    package init(threads: Int) {
        threadCount = max(1, threads)
        pthread_mutex_init(mutex, nil)
        pthread_mutex_init(regionLock, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(done, nil)
        startWorkers()
    }

    /// `SWIFTNN_NUM_THREADS` if set, else the CPUs this process may run on.
    package static func defaultThreadCount() -> Int {
        if let text = getenv("SWIFTNN_NUM_THREADS"), let n = Int(String(cString: text)), n > 0 {
            return min(n, 256)
        }
        #if os(Linux)
        // The affinity mask, not the machine's CPU count: containers and taskset limit it.
        var mask = [UInt8](repeating: 0, count: 128)
        if linuxSchedGetAffinity(0, mask.count, &mask) == 0 {
            let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
            if count > 0 { return count }
        }
        #endif
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Changes the number of threads (`swiftnn.set_num_threads`); waits for running work.
    public func setThreadCount(_ n: Int) {
        pthread_mutex_lock(regionLock)
        defer { pthread_mutex_unlock(regionLock) }
        stopWorkers()
        threadCount = max(1, min(n, 256))
        startWorkers()
    }

    /// True on a pool worker or inside a `parallelFor` body, where nested calls run serially.
    public var isInsideRegion: Bool { pthread_getspecific(Self.insideRegionKey) != nil }

    /// Runs `body` over disjoint sub-ranges covering 0..<count, in parallel when
    /// every thread gets at least `grain` items.
    public func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(threadCount, count / max(grain, 1))
        if chunks <= 1 || pthread_getspecific(Self.insideRegionKey) != nil {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let run: (Int) -> Void = { chunk in
                let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
                if start < end { body(start..<end) }
            }
            pthread_mutex_lock(regionLock)
            pthread_setspecific(Self.insideRegionKey, UnsafeRawPointer(bitPattern: 1))
            pthread_mutex_lock(mutex)
            task = { chunk in if chunk < chunks { run(chunk) } }
            remaining = threadCount - 1
            generation &+= 1
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(mutex)

            run(0)

            pthread_mutex_lock(mutex)
            while remaining > 0 { pthread_cond_wait(done, mutex) }
            task = nil
            pthread_mutex_unlock(mutex)
            pthread_setspecific(Self.insideRegionKey, nil)
            pthread_mutex_unlock(regionLock)
        }
    }

    private func startWorkers() {
        shuttingDown = false
        workers = (1..<threadCount).compactMap { index in
            var thread = pthread_t()
            // The worker must start from the generation current now, not when it
            // first runs: a region posted before it is scheduled would otherwise
            // look already seen, and the caller would wait for it forever.
            let start = WorkerContext(pool: self, index: index, generation: generation)
            let context = Unmanaged.passRetained(start).toOpaque()
            guard pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index, seen: context.generation)
                return nil
            }, context) == 0 else {
                Unmanaged<WorkerContext>.fromOpaque(context).release()
                return nil
            }
            return thread
        }
        // If the system refused threads, run with the ones we got.
        threadCount = workers.count + 1
    }

    private func stopWorkers() {
        pthread_mutex_lock(mutex)
        shuttingDown = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for thread in workers { pthread_join(thread, nil) }
        workers = []
    }

    private func workerLoop(index: Int, seen start: Int) {
        pthread_setspecific(Self.insideRegionKey, UnsafeRawPointer(bitPattern: 1))
        var seen = start
        pthread_mutex_lock(mutex)
        while true {
            while generation == seen && !shuttingDown { pthread_cond_wait(wake, mutex) }
            if shuttingDown { break }
            seen = generation
            let work = task
            pthread_mutex_unlock(mutex)
            work?(index)
            pthread_mutex_lock(mutex)
            remaining -= 1
            if remaining == 0 { pthread_cond_signal(done) }
        }
        pthread_mutex_unlock(mutex)
    }
}

#if os(Linux)
// Glibc declares sched_getaffinity only under _GNU_SOURCE, so Swift cannot see it.
@_silgen_name("sched_getaffinity")
private func linuxSchedGetAffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
#endif

private final class WorkerContext {
    package let pool: ThreadPool
    package let index: Int
    package let generation: Int
    package init(pool: ThreadPool, index: Int, generation: Int) {
        self.pool = pool
        self.index = index
        self.generation = generation
    }
}
