import XCTest
@testable import SwiftNN

/// BufferCache: large freed buffers come back for the same size, small ones and
/// other sizes do not, and the cache never holds more than its capacity.
final class BufferCacheTests: XCTestCase {
    func testLargeBuffersAreReusedBySize() throws {
        BufferCache.purge()
        let bytes = BufferCache.minimumBytes * 3
        let first = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        XCTAssertEqual(Int(bitPattern: first) % 64, 0, "64-byte aligned")
        BufferCache.release(first, bytes: bytes)
        XCTAssertEqual(BufferCache.cachedByteCount, bytes)
        let other = try XCTUnwrap(BufferCache.allocate(bytes: bytes + 64))
        XCTAssertNotEqual(other, first, "a different size must not take the cached buffer")
        let again = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        XCTAssertEqual(again, first)
        XCTAssertEqual(BufferCache.cachedByteCount, 0)
        BufferCache.release(again, bytes: bytes)
        BufferCache.release(other, bytes: bytes + 64)
        BufferCache.purge()
        XCTAssertEqual(BufferCache.cachedByteCount, 0)
    }

    func testSmallBuffersBypassTheCache() throws {
        BufferCache.purge()
        let small = try XCTUnwrap(BufferCache.allocate(bytes: 64))
        BufferCache.release(small, bytes: 64)
        XCTAssertEqual(BufferCache.cachedByteCount, 0)
    }

    func testCapacityEvictsOldestFirst() throws {
        BufferCache.purge()
        let bytes = BufferCache.capacityBytes / 2
        let a = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        let b = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        let c = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        BufferCache.release(a, bytes: bytes)
        BufferCache.release(b, bytes: bytes)
        BufferCache.release(c, bytes: bytes)  // pushes a out
        XCTAssertEqual(BufferCache.cachedByteCount, 2 * bytes)
        let x = try XCTUnwrap(BufferCache.allocate(bytes: bytes)), y = try XCTUnwrap(BufferCache.allocate(bytes: bytes))
        XCTAssertEqual(Set([x, y]), Set([b, c]))
        BufferCache.release(x, bytes: bytes)
        BufferCache.release(y, bytes: bytes)
        BufferCache.purge()
    }

    /// Tensors built on reused buffers still hold exactly what ops write.
    func testTensorsOnReusedBuffersAreCorrect() throws {
        let n = BufferCache.minimumBytes / 4 + 5
        for round in 0..<3 {
            let x = try Tensor(shape: [n], scalars: (0..<n).map { Float($0 % 97) + Float(round) })
            let y = try x.adding(x)
            XCTAssertEqual(y.scalars[n - 1], 2 * (Float((n - 1) % 97) + Float(round)))
            XCTAssertEqual(try Tensor.zeros([n]).scalars.max(), 0)
        }
    }
}
