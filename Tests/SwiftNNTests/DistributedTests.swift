import Foundation
import XCTest
@testable import SwiftNN

/// Ranks as threads of one process, with collectives over shared memory: enough to check
/// that SyncBatchNorm and gradient buckets over N ranks with B/N samples each compute what
/// one process computes with B.
private final class ThreadedWorld {
    let size: Int
    private var slots: [[Float]]
    private let condition = NSCondition()
    private var arrived = 0, generation = 0

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    private func barrier() {
        condition.lock()
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    func group(rank: Int) throws -> ProcessGroup {
        try ProcessGroup(rank: rank, size: size) { [self] collective, send, buffer, count in
            switch collective {
            case .allReduceSum:
                slots[rank] = Array(UnsafeBufferPointer(start: buffer, count: count))
                barrier()
                for i in 0..<count { buffer[i] = (0..<size).reduce(0) { $0 + slots[$1][i] } }
            case .allGather:
                slots[rank] = Array(UnsafeBufferPointer(start: send!, count: count))
                barrier()
                for r in 0..<size { for i in 0..<count { buffer[r * count + i] = slots[r][i] } }
            case .broadcast(let root):
                if rank == root { slots[root] = Array(UnsafeBufferPointer(start: buffer, count: count)) }
                barrier()
                if rank != root { for i in 0..<count { buffer[i] = slots[root][i] } }
            }
            barrier()  // nobody overwrites a slot another rank still reads
        }
    }

    /// Runs `body(rank, group)` on one thread per rank (all at once: they wait for each other
    /// in the collectives); rethrows the first error.
    func run(_ body: @escaping (Int, ProcessGroup) throws -> Void) throws {
        final class Failures: @unchecked Sendable {  // written under `lock`
            var errors: [Error] = []
            let lock = NSLock()
        }
        let failures = Failures(), finished = DispatchSemaphore(value: 0)
        for rank in 0..<size {
            Thread {
                do { try body(rank, try self.group(rank: rank)) } catch {
                    failures.lock.lock(); failures.errors.append(error); failures.lock.unlock()
                }
                finished.signal()
            }.start()
        }
        for _ in 0..<size { finished.wait() }
        if let error = failures.errors.first { throw error }
    }
}

final class DistributedTests: XCTestCase {
    private func randomTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) throws -> Tensor {
        var rng = TestRNG(seed)
        let values = (0..<shape.reduce(1, *)).map { _ in rng.uniform(-2, 3) }
        return try Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
    }

    /// Rows [r·n/size, (r+1)·n/size) of x as a new leaf.
    private func shard(_ x: Tensor, rank: Int, size: Int, requiresGrad: Bool = false) throws -> Tensor {
        let per = x.count / x.shape[0] * (x.shape[0] / size)
        var shape = x.shape
        shape[0] /= size
        return try Tensor(shape: shape, scalars: Array(x.scalars[rank * per..<(rank + 1) * per]), requiresGrad: requiresGrad)
    }

    private func assertClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Float = 2e-5,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = max(1, b.map(abs).max() ?? 1)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance * scale, "\(what): max difference \(worst)", file: file, line: line)
    }

    /// SyncBatchNorm over 2 and 3 ranks vs one BatchNorm over the whole batch: outputs, input
    /// gradients, summed weight/bias gradients and running statistics, plain and fused with ReLU.
    func testSyncBatchNormMatchesTheWholeBatch() throws {
        for (size, fused) in [(2, false), (3, false), (2, true)] {
            let batch = 6, shape = [batch, 3, 5, 7]
            let x = try randomTensor(shape, seed: 1)
            let probe = try randomTensor(shape, seed: 2)  // loss = Σ y·probe: a gradient with structure
            let whole = try BatchNorm2d(3)
            let xWhole = try x.clonedData().setRequiresGrad()
            let yWhole = fused ? try whole.withReLU(xWhole) : try whole(xWhole)
            try (yWhole * probe).sum().backward()

            let world = ThreadedWorld(size: size)
            var parts = [(y: [Float], dx: [Float], dw: [Float], db: [Float], mean: [Float], variance: [Float])](
                repeating: ([], [], [], [], [], []), count: size)
            let lock = NSLock()
            try world.run { rank, group in
                let bn = try BatchNorm2d(3)
                bn.processGroup = group
                let xs = try self.shard(x, rank: rank, size: size, requiresGrad: true)
                let y = fused ? try bn.withReLU(xs) : try bn(xs)
                try (y * self.shard(probe, rank: rank, size: size)).sum().backward()
                lock.lock()
                parts[rank] = (y.scalars, xs.grad!.scalars, bn.weight!.grad!.scalars, bn.bias!.grad!.scalars,
                               bn.runningMean!.scalars, bn.runningVar!.scalars)
                lock.unlock()
            }
            let label = "\(size) ranks\(fused ? ", fused" : "")"
            assertClose(parts.flatMap(\.y), yWhole.scalars, "output, \(label)")
            assertClose(parts.flatMap(\.dx), xWhole.grad!.scalars, "input gradient, \(label)")
            let dw = (0..<3).map { c in parts.reduce(0) { $0 + $1.dw[c] } }
            let db = (0..<3).map { c in parts.reduce(0) { $0 + $1.db[c] } }
            assertClose(dw, whole.weight!.grad!.scalars, "weight gradient, \(label)")
            assertClose(db, whole.bias!.grad!.scalars, "bias gradient, \(label)")
            for part in parts {
                assertClose(part.mean, whole.runningMean!.scalars, "running mean, \(label)")
                assertClose(part.variance, whole.runningVar!.scalars, "running var (unbiased over the joint batch), \(label)")
            }
        }
    }

    /// DistributedDataParallel over 2 ranks, each with half the batch and a mean loss: the
    /// averaged gradients equal the whole batch's, in several buckets, living in the flat
    /// buffer; rank 1 starts from rank 0's weights; no-sync passes only accumulate.
    func testBucketsAverageGradientsAcrossRanks() throws {
        let x = try randomTensor([8, 5], seed: 3)
        manualSeed(7)
        let reference = Sequential(try Linear(5, 4), ReLU(), try Linear(4, 3))
        try (reference(x) * reference(x)).mean().backward()
        let expected = reference.parameters().map { $0.grad!.scalars }
        let initial = reference.stateDict().map { $0.tensor.scalars }

        let world = ThreadedWorld(size: 2)
        var grads = [[[Float]]](repeating: [], count: 2)
        var flats = [[Float]](repeating: [], count: 2)
        var bucketCounts = [Int](repeating: 0, count: 2)
        var accumulated = [[Float]](repeating: [], count: 2)
        let lock = NSLock()
        try world.run { rank, group in
            manualSeed(UInt64(100 + rank))  // different weights: DDP must replace rank 1's
            let model = Sequential(try Linear(5, 4), ReLU(), try Linear(4, 3))
            if rank == 0 {
                for (entry, values) in zip(model.stateDict(), initial) {
                    try entry.tensor.assign(Tensor(shape: entry.tensor.shape, scalars: values))
                }
            }
            let ddp = try DistributedDataParallel(model, group: group, bucketCapacity: 16)
            let xs = try self.shard(x, rank: rank, size: 2)
            let out = try ddp(xs)
            try (out * out).mean().backward()
            let g = model.parameters().map { $0.grad!.scalars }
            let flat = ddp.buckets.flat.scalars
            // A pass without synchronisation adds the local gradient to the averaged one.
            ddp.buckets.synchronizes = false
            let again = try ddp(xs)
            try (again * again).mean().backward()
            lock.lock()
            grads[rank] = g
            flats[rank] = flat
            bucketCounts[rank] = ddp.buckets.bucketRanges.count
            accumulated[rank] = model.parameters()[0].grad!.scalars
            lock.unlock()
        }
        for rank in 0..<2 {
            for (i, (got, want)) in zip(grads[rank], expected).enumerated() {
                assertClose(got, want, "rank \(rank) parameter \(i)")
            }
            // Reverse parameter order in the flat buffer.
            XCTAssertEqual(flats[rank], grads[rank].reversed().flatMap { $0 })
        }
        XCTAssertGreaterThan(bucketCounts[0], 1, "a 16-float capacity must cut several buckets")
        XCTAssertNotEqual(accumulated[0], accumulated[1], "no-sync passes must not communicate")
    }

    func testGroupsAndBucketsRejectBadArguments() throws {
        XCTAssertThrowsError(try ProcessGroup(rank: 2, size: 2) { _, _, _, _ in })
        let group = try ProcessGroup(rank: 0, size: 1) { _, _, _, _ in XCTFail("a world of one never communicates") }
        let w = try Tensor.zeros([3], requiresGrad: true)
        XCTAssertThrowsError(try GradientBuckets(parameters: [w, w], group: group))
        XCTAssertThrowsError(try GradientBuckets(parameters: [w], group: group, bucketCapacity: 0))
        let buckets = try GradientBuckets(parameters: [w], group: group)
        XCTAssertThrowsError(try GradientBuckets(parameters: [w], group: group), "one reducer per parameter")
        try (w * w).sum().backward()
        XCTAssertTrue(w.grad === buckets.slot(0))
        withExtendedLifetime(buckets) {}
    }
}
