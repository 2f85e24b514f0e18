import Foundation
import XCTest
@testable import SwiftNN

/// A module with an integer counter buffer, as BatchNorm has.
private final class Counting: Module {
    init(count: Float) throws {
        super.init()
        registerModule("fc", try Linear(3, 2))
        registerBuffer("num_batches_tracked", Tensor(count))
    }

    override func forward(_ input: Tensor) throws -> Tensor { try (namedChildren[0].module)(input) }
}

final class CheckpointTests: TemporaryDirectoryTestCase {
    func logits(_ model: Module, seed: UInt64 = 9) throws -> [Float] {
        manualSeed(seed)
        let x = try Tensor.randn([4, 3, 32, 32])
        model.eval()
        return try model(x).scalars
    }

    func testModuleRoundTripGivesIdenticalLogits() throws {
        manualSeed(1)
        let trained = try MLPnet()
        let file = path("mlp.safetensors")
        try trained.saveCheckpoint(to: file, metadata: [("format", "pt")])
        manualSeed(2)
        let fresh = try MLPnet()
        XCTAssertNotEqual(try logits(fresh), try logits(trained))
        try fresh.loadCheckpoint(from: file)
        XCTAssertEqual(try logits(fresh), try logits(trained))
        for (a, b) in zip(fresh.stateDict(), trained.stateDict()) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertEqual(a.tensor.scalars, b.tensor.scalars)
        }
        let loaded = try Checkpoint.load(from: file)
        XCTAssertEqual(loaded.metadata.map(\.key), ["format"])
        XCTAssertEqual(loaded.metadata.map(\.value), ["pt"])
        XCTAssertEqual(Set(loaded.entries.map(\.name)), Set(trained.stateDict().map(\.name)))
        XCTAssertTrue(loaded.entries.allSatisfy { $0.dtype == .f32 })
    }

    func testNumBatchesTrackedIsStoredAsInt64() throws {
        let model = try Counting(count: 12)
        let file = path("counter.safetensors")
        try model.saveCheckpoint(to: file)
        let loaded = try Checkpoint.load(from: file)
        XCTAssertEqual(loaded.entries.map(\.name), ["num_batches_tracked", "fc.bias", "fc.weight"])
        XCTAssertEqual(loaded.entries[0].dtype, .i64)
        XCTAssertEqual(loaded.entries[0].tensor.shape, [])
        XCTAssertEqual(loaded.entries[0].tensor.scalars, [12])
        let other = try Counting(count: 0)
        try other.loadCheckpoint(from: file)
        XCTAssertEqual(other.buffer("num_batches_tracked")?.scalars, [12])
    }

    func testInt64EntriesMustHoldWholeNumbers() throws {
        for bad: Float in [1.5, .nan, .infinity, 1e30] {
            let entry = CheckpointEntry("n", Tensor(bad), dtype: .i64)
            assertThrows(.invalidArgument, contains: "not an int64 value",
                         try Checkpoint(entries: [entry]).save(to: path("n.safetensors")))
        }
        let f16 = CheckpointEntry("h", Tensor(1), dtype: .f16)
        assertThrows(.invalidArgument, contains: "only F32 and I64", try Checkpoint(entries: [f16]).save(to: path("h.safetensors")))
        XCTAssertEqual(try files(), [])
    }

    func testLoadStateDictChecksKeysAndChangesNothingOnMismatch() throws {
        manualSeed(3)
        let model = try MLPnet()
        let before = model.stateDict().map(\.tensor.scalars)
        var partial = Checkpoint(module: model)
        partial.entries.removeLast()
        partial.entries[0].tensor = try Tensor.zeros(partial.entries[0].tensor.shape)
        try partial.save(to: path("partial.safetensors"))
        assertThrows(.invalidArgument, contains: "missing keys: fc3.bias",
                     try model.loadCheckpoint(from: path("partial.safetensors")))
        XCTAssertEqual(model.stateDict().map(\.tensor.scalars), before)
        try model.loadCheckpoint(from: path("partial.safetensors"), strict: false)
        XCTAssertEqual(model.stateDict()[0].tensor.scalars, [Float](repeating: 0, count: 128 * 3072))
    }

    // MARK: Atomic saves

    func testFailedSavesLeaveThePreviousFileIntact() throws {
        let target = path("model.safetensors")
        let old = Checkpoint(entries: [CheckpointEntry("w", try Tensor.ones([2]))])
        try old.save(to: target)
        let oldBytes = try bytes("model.safetensors")
        let new = Checkpoint(entries: [CheckpointEntry("w", try Tensor.zeros([3]))])

        // The data cannot be written: an invalid entry is found before anything touches the disk.
        let invalid = Checkpoint(entries: [CheckpointEntry("w", Tensor(0.5), dtype: .i64)])
        assertThrows(.invalidArgument, try invalid.save(to: target))
        // The directory does not exist.
        assertThrows(.io, contains: "No such file or directory", try new.save(to: path("missing/model.safetensors")))
        // The target is a directory: the temporary file is written, the rename fails and it is removed.
        try FileManager.default.createDirectory(atPath: path("dir.safetensors"), withIntermediateDirectories: false)
        assertThrows(.io, contains: "cannot replace the file", try new.save(to: path("dir.safetensors")))

        XCTAssertEqual(try bytes("model.safetensors"), oldBytes)
        XCTAssertEqual(try files(), ["dir.safetensors", "model.safetensors"])
        XCTAssertEqual(try Checkpoint.load(from: target).entries[0].tensor.scalars, [1, 1])

        // A successful save replaces the file and leaves no temporary behind.
        try new.save(to: target)
        XCTAssertEqual(try Checkpoint.load(from: target).entries[0].tensor.scalars, [0, 0, 0])
        XCTAssertEqual(try files(), ["dir.safetensors", "model.safetensors"])
    }

    func testConcurrentSavesToOneTargetLeaveOneCompleteFile() throws {
        let target = path("race.safetensors")
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let values = [Float](repeating: Float(i), count: 10_000)
            try? Checkpoint(entries: [CheckpointEntry("w", try! Tensor(shape: [10_000], scalars: values))]).save(to: target)
        }
        let scalars = try Checkpoint.load(from: target).entries[0].tensor.scalars
        XCTAssertEqual(Set(scalars).count, 1)
        XCTAssertEqual(try files(), ["race.safetensors"])
    }
}
