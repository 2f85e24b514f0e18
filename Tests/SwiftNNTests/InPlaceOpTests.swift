import XCTest
@testable import SwiftNN

/// Version counters and in-place ops in the engine; take/put, expand and repeat.
final class InPlaceOpTests: XCTestCase {
    func testVersionCounterCountsInPlaceWrites() throws {
        let t = try Tensor(shape: [3], scalars: [1, 2, 3])
        XCTAssertEqual(t.version, 0)
        let same = try t.updatedInPlace { try $0.adding(Tensor(1)) }
        XCTAssertTrue(same === t, "nothing recorded: the tensor itself comes back")
        XCTAssertEqual(t.version, 1)
        XCTAssertEqual(t.scalars, [2, 3, 4])
        try t.assign(Tensor(shape: [3], scalars: [0, 0, 0]))
        Init.normal(t)
        XCTAssertEqual(t.version, 3)
    }

    func testRecordedInPlaceGivesANewNodeOverTheSameStorage() throws {
        let x = try Tensor(shape: [2, 2], scalars: [1, -2, 3, -4], requiresGrad: true)
        let h = try x.multiplying(Tensor(2))
        let rebound = try h.updatedInPlace { try $0.relu() }
        XCTAssertFalse(rebound === h)
        XCTAssertEqual(h.scalars, [2, 0, 6, 0], "the old object sees the write: it shares the storage")
        XCTAssertEqual(rebound.gradFnName, "ReluBackward")
        try rebound.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2, 0, 2, 0])
    }

    func testOverwrittenOutputIsAnErrorNotAWrongGradient() throws {
        let x = try Tensor(shape: [3], scalars: [0.1, 0.2, 0.3], requiresGrad: true)
        let y = try x.sigmoid()
        let doubled = try y.updatedInPlace { try $0.multiplying(Tensor(2)) }
        XCTAssertThrowsError(try doubled.sum().backward()) { error in
            XCTAssertTrue("\(error)".contains("modified by an inplace operation"), "\(error)")
            XCTAssertTrue("\(error)".contains("is at version 1; expected version 0"), "\(error)")
        }
    }

    func testLeafThatRequiresGradIsRefusedUnlessGradIsOff() throws {
        let w = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        XCTAssertThrowsError(try w.filledInPlace(0))
        _ = try withNoGrad { try w.filledInPlace(0) }
        XCTAssertEqual(w.scalars, [0, 0])
        XCTAssertTrue(w.isLeaf)
    }

    func testMulInPlaceByATensorNeedingGradKeepsTheOriginalValues() throws {
        let x = try Tensor(shape: [2], scalars: [3, 5], requiresGrad: true)
        let w = try Tensor(shape: [2], scalars: [7, 11], requiresGrad: true)
        let h = try x.multiplying(Tensor(1))
        let out = try h.updatedInPlace { try $0.multiplying(w) }
        try out.sum().backward()
        XCTAssertEqual(w.grad?.scalars, [3, 5])
        XCTAssertEqual(x.grad?.scalars, [7, 11])
    }

    func testTakeAndPutWithGradients() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let picked = try x.take([5, 0, 5], shape: [3])
        XCTAssertEqual(picked.scalars, [6, 1, 6])
        try picked.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1, 0, 0, 0, 0, 2], "repeated reads add up")
        XCTAssertThrowsError(try x.take([6], shape: [1]))
        XCTAssertThrowsError(try x.take([0, 1], shape: [3]))

        let v = try Tensor(shape: [2], scalars: [10, 20], requiresGrad: true)
        let base = try Tensor(shape: [4], scalars: [1, 2, 3, 4], requiresGrad: true)
        let put = try base.putting([3, 1], values: v)
        XCTAssertEqual(put.scalars, [1, 20, 3, 10])
        try put.multiplying(Tensor(shape: [4], scalars: [1, 2, 3, 4])).sum().backward()
        XCTAssertEqual(base.grad?.scalars, [1, 0, 3, 0])
        XCTAssertEqual(v.grad?.scalars, [4, 2])
    }

    func testExpandRepeatAgainstNaiveLoops() throws {
        for (rows, reps) in [(1, 7), (7, 1), (17, 3), (3, 63)] {
            let values = (0..<rows).map { Float($0) + 0.5 }
            let x = try Tensor(shape: [rows, 1], scalars: values, requiresGrad: true)
            let expanded = try x.expand([rows, reps])
            XCTAssertEqual(expanded.scalars, values.flatMap { [Float](repeating: $0, count: reps) })
            let tiled = try x.repeated([2, reps])
            XCTAssertEqual(tiled.shape, [2 * rows, reps])
            XCTAssertEqual(tiled.scalars, (values + values).flatMap { [Float](repeating: $0, count: reps) })
            try tiled.sum().backward()
            XCTAssertEqual(x.grad?.scalars, [Float](repeating: Float(2 * reps), count: rows))
        }
        XCTAssertThrowsError(try Tensor(shape: [3], scalars: [1, 2, 3]).expand([4]))
        XCTAssertThrowsError(try Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6)).repeated([2]))
    }

    func testFiniteDifferenceGradients() throws {
        for n in [1, 7, 17] {
            let x = randomTensor([n, 3], seed: UInt64(n), low: -1, high: 1, requiresGrad: true)
            let other = randomTensor([3], seed: 99, low: 0.5, high: 1.5, requiresGrad: true)
            XCTAssertEqual(try gradientMismatches([x], "take") {
                try $0[0].take((0..<(2 * n)).map { ($0 * 5) % (3 * n) }, shape: [2, n])
            }, [])
            XCTAssertEqual(try gradientMismatches([x, other], "put") {
                try $0[0].putting([3 * n - 1, 0, 1], values: $0[1])
            }, [])
            XCTAssertEqual(try gradientMismatches([other], "expand") { try $0[0].expand([n, 2, 3]) }, [])
            XCTAssertEqual(try gradientMismatches([x], "repeat") { try $0[0].repeated([2, 1, 2]) }, [])
            for (name, op) in [("add_", { (a: Tensor, b: Tensor) in try a.adding(b) }),
                               ("mul_", { (a: Tensor, b: Tensor) in try a.multiplying(b) }),
                               ("div_", { (a: Tensor, b: Tensor) in try a.dividing(b) })] {
                XCTAssertEqual(try gradientMismatches([x, other], name) { t in
                    try t[0].multiplying(Tensor(1.5)).updatedInPlace { try op($0, t[1]) }
                }, [])
            }
        }
    }
}
