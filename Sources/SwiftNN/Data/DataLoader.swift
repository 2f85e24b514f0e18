#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One batch: images [B] + the transformed sample shape, and their labels.
public struct Batch {
    public let images: Tensor
    public let labels: [Int]
}

/// Batches a dataset through a transform chain (PyTorch's `DataLoader`).
///
/// Each call to `epoch()` starts the next epoch: with `shuffle` its order is a
/// fresh permutation fixed by (seed, epoch number). Random transforms draw from a
/// generator seeded by (seed, epoch, position), so the batches do not depend on
/// threads or on prefetching. With `prefetch > 0` a background thread prepares up
/// to that many batches ahead while the caller trains on the current one.
public final class DataLoader {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let transform: Compose
    public let seed: UInt64
    public let prefetch: Int
    /// The number of epochs started so far.
    public private(set) var epochsStarted = 0
    let outputShape: [Int]
    let scratchCount: Int

    public init(_ dataset: Dataset, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
                transform: Compose = Compose(), seed: UInt64? = nil, prefetch: Int = 2) throws {
        guard batchSize > 0 else {
            throw SwiftNNError.invalidArgument("batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        }
        guard prefetch >= 0 && prefetch <= 64 else {
            throw SwiftNNError.invalidArgument("prefetch must be between 0 and 64, got \(prefetch)")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.transform = transform
        self.seed = seed ?? drawSeed()
        self.prefetch = prefetch
        outputShape = try transform.outputShape(for: dataset.sampleShape, rawPixels: dataset.isRawPixels)
        scratchCount = try transform.scratchCount(for: dataset.sampleShape, rawPixels: dataset.isRawPixels)
        try validateShape([batchSize] + outputShape)
    }

    /// Batches per epoch (`len(loader)`).
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The sample order of epoch `epoch` (0-based).
    public func order(epoch: Int) throws -> [Int] {
        shuffle ? try randomPermutation(dataset.count, seed: mixSeed(seed, UInt64(epoch))) : Array(0..<dataset.count)
    }

    /// Starts the next epoch.
    public func epoch() throws -> Epoch {
        defer { epochsStarted += 1 }
        return try Epoch(loader: self, order: order(epoch: epochsStarted), number: epochsStarted)
    }

    /// Builds batch `b` of an epoch; samples in parallel on the shared pool when asked.
    func makeBatch(_ b: Int, order: [Int], epoch: Int, parallel: Bool) throws -> Batch {
        let start = b * batchSize, end = min(start + batchSize, order.count)
        let n = end - start
        let images = try Tensor(uninitializedShape: [n] + outputShape)
        let per = outputShape.reduce(1, *)
        let shape = dataset.sampleShape, raw = dataset.isRawPixels
        let labels = order[start..<end].map { dataset.label($0) }
        let work = { (range: Range<Int>) in
            let a = UnsafeMutablePointer<Float>.allocate(capacity: self.scratchCount)
            let s = UnsafeMutablePointer<Float>.allocate(capacity: self.scratchCount)
            defer { a.deallocate(); s.deallocate() }
            for i in range {
                var rng = RandomGenerator(seed: mixSeed(self.seed, UInt64(epoch), UInt64(start + i)))
                self.dataset.loadSample(order[start + i], into: a)
                let result = self.transform.apply(a, s, shape: shape, rawPixels: raw, rng: &rng)
                (images.data + i &* per).update(from: result, count: per)
            }
        }
        if parallel {
            ThreadPool.shared.parallelFor(n, grain: 16, work)
        } else {
            work(0..<n)
        }
        return Batch(images: images, labels: labels)
    }
}

/// One pass over the data. Dropping it stops its prefetch thread.
public final class Epoch {
    public let number: Int
    public let count: Int
    private let loader: DataLoader
    private let order: [Int]
    private var nextIndex = 0
    private let queue: PrefetchQueue?

    init(loader: DataLoader, order: [Int], number: Int) throws {
        self.loader = loader
        self.order = order
        self.number = number
        count = loader.count
        if loader.prefetch > 0 && count > 0 {
            queue = try PrefetchQueue(depth: loader.prefetch, count: count) { [loader, order] b in
                try loader.makeBatch(b, order: order, epoch: number, parallel: false)
            }
        } else {
            queue = nil
        }
    }

    deinit { queue?.stop() }

    /// The next batch, or nil at the end of the epoch.
    public func next() throws -> Batch? {
        guard nextIndex < count else { return nil }
        defer { nextIndex += 1 }
        if let queue { return try queue.take() }
        return try loader.makeBatch(nextIndex, order: order, epoch: number, parallel: true)
    }
}

/// A producer thread that makes batches 0..<count in order, at most `depth` ahead of the consumer.
final class PrefetchQueue {
    private let make: (Int) throws -> Batch
    private let depth: Int
    private let count: Int
    private var ready: [Int: Result<Batch, Error>] = [:]
    private var produced = 0
    private var consumed = 0
    private var stopping = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread = pthread_t()
    private var running = false

    init(depth: Int, count: Int, make: @escaping (Int) throws -> Batch) throws {
        self.make = make
        self.depth = depth
        self.count = count
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, { raw in
            let queue = Unmanaged<PrefetchQueue>.fromOpaque(raw!).takeRetainedValue()
            queue.produce()
            return nil
        }, context) == 0 else {
            Unmanaged<PrefetchQueue>.fromOpaque(context).release()
            throw SwiftNNError.runtime("cannot start the prefetch thread")
        }
        running = true
    }

    deinit {
        pthread_mutex_destroy(mutex); pthread_cond_destroy(changed)
        mutex.deallocate(); changed.deallocate()
    }

    private func produce() {
        while true {
            pthread_mutex_lock(mutex)
            while !stopping && produced < count && produced - consumed >= depth { pthread_cond_wait(changed, mutex) }
            if stopping || produced >= count {
                pthread_mutex_unlock(mutex)
                return
            }
            let b = produced
            pthread_mutex_unlock(mutex)
            let result = Result { try make(b) }
            pthread_mutex_lock(mutex)
            ready[b] = result
            produced += 1
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Waits for the next batch in order.
    func take() throws -> Batch {
        pthread_mutex_lock(mutex)
        let b = consumed
        while ready[b] == nil { pthread_cond_wait(changed, mutex) }
        let result = ready.removeValue(forKey: b)!
        consumed += 1
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        return try result.get()
    }

    /// Stops the producer after its current batch and waits for it.
    func stop() {
        guard running else { return }
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
        running = false
    }
}
