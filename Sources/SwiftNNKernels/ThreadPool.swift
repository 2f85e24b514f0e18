#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNMicroKernels

/// One persistent pool of worker threads for every parallel kernel.
///
/// `parallelFor` splits an index range into one contiguous chunk per thread; the
/// calling thread runs the first chunk itself, so a pool of N threads starts
/// N − 1 workers. Work is split only when each chunk gets at least `grain`
/// items, so small problems never pay for a wake-up. Nested calls (a parallel
/// kernel inside a parallel region) run serially on the calling thread.
///
/// Hand-offs spin, then park: a worker that finished a region polls for the next
/// one for `spinNanoseconds` before sleeping on the condition variable, and the
/// caller polls for the workers' completion as long before sleeping itself. A
/// model's forward pass posts regions back to back (ResNet-50 at batch 1: hundreds
/// per image), and a futex wake-up per region took tens of microseconds and most
/// of the run-to-run jitter. The spin is bounded (50 µs by default, `SWIFTNN_SPIN_US`) and
/// off when the pool has more threads than the process has CPUs, where a spinning thread
/// would only take the CPU from the one it waits for.
public final class ThreadPool {
    public static let shared = ThreadPool(threads: ThreadPool.defaultThreadCount())

    public private(set) var threadCount: Int
    private var workers: [pthread_t] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Serialises whole parallel regions from different caller threads.
    private let regionLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    // The current region. `generation`, `remaining`, `sleepers` and `stopping` are
    // atomics (seq_cst); `task` is written before `generation` is bumped and read after.
    private let counters = UnsafeMutablePointer<Int>.allocate(capacity: 4)
    private var generation: UnsafeMutablePointer<Int> { counters }
    private var remaining: UnsafeMutablePointer<Int> { counters + 1 }
    /// Workers parked, or about to park, on `wake`.
    private var sleepers: UnsafeMutablePointer<Int> { counters + 2 }
    private var stopping: UnsafeMutablePointer<Int> { counters + 3 }
    private var task: ((Int) -> Void)?

    /// How long a hand-off spins before parking: SWIFTNN_SPIN_US, default 50 µs (0 turns it
    /// off). On an idle machine (AMD EPYC Zen 4, 2 threads) it takes batch-1 latency from
    /// 0.075 to 0.017 ms for MLPnet, 1.0 to 0.71 ms for normal_CNN and 21.6 to 18.8 ms for
    /// ResNet-50, and leaves GEMM and training throughput as they were. With other jobs on
    /// every core it costs throughput instead (30 µs: normal_CNN training 530–600 vs 850–1000
    /// images/s): set SWIFTNN_SPIN_US=0 on a shared machine.
    private let spinNanoseconds: Int
    /// CPUs this process may run on; with more threads than these nobody spins.
    private let processorCount = ThreadPool.availableProcessors()

    package static func defaultSpinNanoseconds() -> Int {
        guard let text = getenv("SWIFTNN_SPIN_US"), let us = Int(String(cString: text)), us >= 0 else { return 50_000 }
        return min(us, 100_000) &* 1000
    }

    private static let insideRegionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    package init(threads: Int, spinNanoseconds: Int = ThreadPool.defaultSpinNanoseconds()) {
        threadCount = max(1, threads)
        self.spinNanoseconds = spinNanoseconds
        counters.initialize(repeating: 0, count: 4)
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
        return availableProcessors()
    }

    /// The CPUs this process may run on.
    static func availableProcessors() -> Int {
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
            task = { chunk in if chunk < chunks { run(chunk) } }
            swiftnn_atomic_store(remaining, threadCount - 1)
            // Dekker-style with the worker's park: either it sees the new generation
            // before sleeping, or this load sees it counted as a sleeper.
            swiftnn_atomic_add(generation, 1)
            if swiftnn_atomic_load(sleepers) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }

            run(0)

            if !spin(until: { swiftnn_atomic_load(self.remaining) == 0 }) {
                pthread_mutex_lock(mutex)
                while swiftnn_atomic_load(remaining) > 0 { pthread_cond_wait(done, mutex) }
                pthread_mutex_unlock(mutex)
            }
            task = nil
            pthread_setspecific(Self.insideRegionKey, nil)
            pthread_mutex_unlock(regionLock)
        }
    }

    /// Polls `condition` for up to `spinNanoseconds`; true once it holds.
    @inline(__always)
    private func spin(until condition: () -> Bool) -> Bool {
        if condition() { return true }
        guard spinNanoseconds > 0 && threadCount <= processorCount else { return false }
        let deadline = swiftnn_monotonic_ns() &+ spinNanoseconds
        while true {
            for _ in 0..<64 {
                if condition() { return true }
                swiftnn_cpu_relax()
            }
            if swiftnn_monotonic_ns() >= deadline { return condition() }
        }
    }

    private func startWorkers() {
        swiftnn_atomic_store(stopping, 0)
        workers = (1..<threadCount).compactMap { index in
            var thread = pthread_t()
            // The worker must start from the generation current now, not when it
            // first runs: a region posted before it is scheduled would otherwise
            // look already seen, and the caller would wait for it forever.
            let start = WorkerContext(pool: self, index: index, generation: swiftnn_atomic_load(generation))
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
        swiftnn_atomic_store(stopping, 1)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for thread in workers { pthread_join(thread, nil) }
        workers = []
    }

    private func workerLoop(index: Int, seen start: Int) {
        pthread_setspecific(Self.insideRegionKey, UnsafeRawPointer(bitPattern: 1))
        var seen = start
        while true {
            let posted = { swiftnn_atomic_load(self.generation) != seen || swiftnn_atomic_load(self.stopping) != 0 }
            if !spin(until: posted) {
                pthread_mutex_lock(mutex)
                swiftnn_atomic_add(sleepers, 1)
                while !posted() { pthread_cond_wait(wake, mutex) }
                swiftnn_atomic_add(sleepers, -1)
                pthread_mutex_unlock(mutex)
            }
            if swiftnn_atomic_load(stopping) != 0 { break }
            seen = swiftnn_atomic_load(generation)
            task?(index)
            if swiftnn_atomic_add(remaining, -1) == 0 {
                // The caller checks `remaining` under the mutex before it sleeps, so
                // taking the mutex here means it is either asleep or will see zero.
                pthread_mutex_lock(mutex)
                pthread_cond_signal(done)
                pthread_mutex_unlock(mutex)
            }
        }
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
