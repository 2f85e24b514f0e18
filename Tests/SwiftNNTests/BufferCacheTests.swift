import XCTest
@testable import SwiftNN

final class BufferCacheTests: XCTestCase {
    private var savedLimit = 0

    override func setUp() {
        savedLimit = BufferCache.limitBytes
        BufferCache.empty()
    }

    override func tearDown() {
        BufferCache.limitBytes = savedLimit
        BufferCache.empty()
    }

    func testReleasedLargeBlockIsReusedForTheSameSize() throws {
        let bytes = 300_000
        let first = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        XCTAssertEqual(Int(bitPattern: first) % BufferCache.alignment, 0)
        BufferCache.release(first, bytes: bytes)
        XCTAssertEqual(BufferCache.cachedBytes, BufferCache.bucketSize(bytes))
        // Same page count → same block; the cache is then empty again.
        let second = try XCTUnwrap(BufferCache.allocate(bytes: bytes - 100))
        XCTAssertEqual(second, first)
        XCTAssertEqual(BufferCache.cachedBytes, 0)
        BufferCache.release(second, bytes: bytes - 100)
    }

    func testDifferentSizesDoNotShareBlocks() throws {
        let small = try XCTUnwrap(BufferCache.allocate(bytes: 200_000))
        BufferCache.release(small, bytes: 200_000)
        let larger = try XCTUnwrap(BufferCache.allocate(bytes: 400_000))
        XCTAssertNotEqual(larger, small)
        // The whole block must be writable: a reused smaller block would not be.
        larger.initializeMemory(as: UInt8.self, repeating: 7, count: 400_000)
        BufferCache.release(larger, bytes: 400_000)
        XCTAssertEqual(BufferCache.cachedBytes, BufferCache.bucketSize(200_000) + BufferCache.bucketSize(400_000))
    }

    func testSmallBlocksAreNotCached() throws {
        let block = try XCTUnwrap(BufferCache.allocate(bytes: 1000))
        BufferCache.release(block, bytes: 1000)
        XCTAssertEqual(BufferCache.cachedBytes, 0)
    }

    func testLimitIsRespectedAndLoweringItTrims() throws {
        BufferCache.limitBytes = 1 << 20
        let blocks = try (0..<6).map { _ in try XCTUnwrap(BufferCache.allocate(bytes: 256 << 10)) }
        blocks.forEach { BufferCache.release($0, bytes: 256 << 10) }
        XCTAssertEqual(BufferCache.cachedBytes, 1 << 20, "four blocks fit, two are freed")
        BufferCache.limitBytes = 300 << 10
        XCTAssertEqual(BufferCache.cachedBytes, 256 << 10)
        BufferCache.limitBytes = 0
        XCTAssertEqual(BufferCache.cachedBytes, 0)
    }

    /// Blocks handed out again hold the previous owner's values (here NaN), where
    /// fresh pages from the system were zero: a kernel that reads an output or
    /// scratch element before writing it would now produce NaN or different values.
    func testKernelsNeverReadRecycledMemoryBeforeWritingIt() throws {
        BufferCache.poisonsReleasedBlocks = true
        defer { BufferCache.poisonsReleasedBlocks = false }
        for (name, config, shape) in [("normal_CNN", "{}", [8, 3, 32, 32]),
                                      ("MLP_Mixer", #"{"N": 1}"#, [4, 3, 32, 32]),
                                      ("Densenet", #"{"layers": 10, "drop_rate": 0}"#, [4, 3, 32, 32])] {
            let model = try Zoo.make(name, config: config)
            let x = try Tensor.randn(shape)
            func step() throws -> [[Float]] {
                model.zeroGrad()
                let out = try model(x)
                try out.sum().backward()
                return [out.scalars] + model.parameters().map { $0.grad?.scalars ?? [] }
            }
            BufferCache.empty()
            let fresh = try step()
            let recycled = try step()  // every large buffer now comes back poisoned
            XCTAssertGreaterThan(BufferCache.cachedBytes, 0, name)
            XCTAssertEqual(fresh, recycled, name)
        }
    }

    func testConcurrentAllocateAndReleaseKeepTheBookkeepingExact() {
        let sizes = [70_000, 130_000, 260_000]
        ThreadPool.shared.parallelFor(64, grain: 1) { range in
            for i in range {
                let bytes = sizes[i % sizes.count]
                guard let block = BufferCache.allocate(bytes: bytes) else { return XCTFail("allocation failed") }
                block.storeBytes(of: UInt64(i), as: UInt64.self)
                BufferCache.release(block, bytes: bytes)
            }
        }
        XCTAssertLessThanOrEqual(BufferCache.cachedBytes, BufferCache.limitBytes)
        XCTAssertEqual(BufferCache.cachedBytes % 4096, 0)
        BufferCache.empty()
        XCTAssertEqual(BufferCache.cachedBytes, 0)
    }
}
