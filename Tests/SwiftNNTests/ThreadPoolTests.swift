import XCTest
@testable import SwiftNN

/// The spin-then-park hand-off: regions posted back to back (workers still spinning),
/// after a pause (workers parked), with every chunk count, across thread-count changes,
/// and nested; every index must be visited exactly once and every region must return.
final class ThreadPoolTests: XCTestCase {
    private func visitCounts(_ pool: ThreadPool, count: Int, grain: Int = 1) -> [Int] {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: max(count, 1))
        pool.parallelFor(count, grain: grain) { range in for i in range { counts[i] += 1 } }
        return Array(UnsafeBufferPointer(start: counts, count: count))
    }

    func testBackToBackAndParkedRegions() {
        for spin in [0, 30_000] {
          // Spinning needs no more threads than CPUs (2 on the smallest machines here).
          let pool = ThreadPool(threads: spin == 0 ? 3 : 2, spinNanoseconds: spin)
          for round in 0..<2000 {
            let count = round % 37
            XCTAssertEqual(visitCounts(pool, count: count), Array(repeating: 1, count: count), "round \(round)")
            // Now and then long enough for the workers to give up spinning and park.
            if round % 500 == 499 { usleep(20_000) }
          }
        }
    }

    func testThreadCountChangesBetweenRegions() {
        let pool = ThreadPool(threads: 2, spinNanoseconds: 30_000)
        for threads in [1, 4, 2, 3, 1, 2] {
            pool.setThreadCount(threads)
            XCTAssertEqual(pool.threadCount, threads)
            for _ in 0..<100 { XCTAssertEqual(visitCounts(pool, count: 101), Array(repeating: 1, count: 101)) }
        }
    }

    func testNestedCallsRunSerially() {
        let pool = ThreadPool(threads: 2)
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { inner.deallocate() }
        inner.initialize(repeating: 0, count: 2)
        pool.parallelFor(2) { outer in
            for i in outer {
                XCTAssertTrue(pool.isInsideRegion)
                pool.parallelFor(50) { range in inner[i] += range.count }
            }
        }
        XCTAssertEqual([inner[0], inner[1]], [50, 50])
        XCTAssertFalse(pool.isInsideRegion)
    }
}
