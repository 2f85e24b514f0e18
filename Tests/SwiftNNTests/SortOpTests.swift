import XCTest
@testable import SwiftNN

/// sort and topk: against a naive per-lane reference at awkward sizes, ties and NaN
/// in PyTorch's order, finite-difference gradients, and bad arguments.
final class SortOpTests: XCTestCase {
    /// The naive reference: each lane's (value, position) pairs ordered by value, then position.
    private func reference(_ x: Tensor, dim: Int, descending: Bool) -> [[(Float, Int)]] {
        let d = dim < 0 ? dim + x.rank : dim
        let size = x.shape[d], outer = x.shape[..<d].reduce(1, *), inner = x.shape[(d + 1)...].reduce(1, *)
        let v = x.scalars
        var lanes: [[(Float, Int)]] = []
        for o in 0..<outer {
            for i in 0..<inner {
                let lane = (0..<size).map { (v[(o * size + $0) * inner + i], $0) }
                lanes.append(lane.sorted { a, b in
                    a.0 == b.0 ? a.1 < b.1 : (descending ? a.0 > b.0 : a.0 < b.0)
                })
            }
        }
        return lanes
    }

    func testSortAndTopkMatchNaiveReferenceAtAwkwardSizes() throws {
        for (shape, dim) in [([1], 0), ([7], 0), ([17, 3], 0), ([3, 63], 1), ([2, 7, 5], 1), ([4, 1, 9], -1)] {
            // Values on a coarse grid, so ties occur and must keep index order.
            let x = try Tensor(shape: shape, scalars: randomTensor(shape, seed: 7, requiresGrad: false).scalars
                .map { ($0 * 4).rounded() })
            let d = dim < 0 ? dim + shape.count : dim
            let inner = shape[(d + 1)...].reduce(1, *), size = shape[d]
            for descending in [false, true] {
                let lanes = reference(x, dim: dim, descending: descending)
                let (values, indices) = try x.sort(dim: dim, descending: descending)
                XCTAssertEqual(values.shape, shape)
                for k in [0, 1, size] {
                    let (topValues, topIndices) = try x.topk(k, dim: dim, largest: descending)
                    XCTAssertEqual(topValues.count, x.count / size * k)
                    for (l, lane) in lanes.enumerated() {
                        let (o, i) = (l / inner, l % inner)
                        for j in 0..<k {
                            XCTAssertEqual(topIndices[(o * k + j) * inner + i], lane[j].1, "topk \(shape) k=\(k)")
                            XCTAssertEqual(topValues.scalars[(o * k + j) * inner + i], lane[j].0)
                        }
                    }
                }
                for (l, lane) in lanes.enumerated() {
                    let (o, i) = (l / inner, l % inner)
                    for j in 0..<size {
                        XCTAssertEqual(indices[(o * size + j) * inner + i], lane[j].1, "sort \(shape) dim \(dim)")
                        XCTAssertEqual(values.scalars[(o * size + j) * inner + i], lane[j].0)
                    }
                }
            }
        }
    }

    func testNaNSortsAboveEveryNumber() throws {
        let x = try Tensor(shape: [4], scalars: [1, .nan, -.infinity, .infinity])
        XCTAssertEqual(try x.sort().indices, [2, 0, 3, 1])
        XCTAssertEqual(try x.sort(descending: true).indices, [1, 3, 0, 2])
        XCTAssertEqual(try x.topk(1).indices, [1])
    }

    func testScalarAndEmpty() throws {
        let (v, i) = try Tensor(3).sort()
        XCTAssertEqual(v.scalars, [3])
        XCTAssertEqual(i, [0])
        let (ev, ei) = try Tensor.zeros([2, 0]).sort(dim: 1)
        XCTAssertEqual(ev.shape, [2, 0])
        XCTAssertEqual(ei, [])
    }

    func testGradientsFlowToTheChosenElements() throws {
        // Distinct values 0.1 apart (a permutation of 0..<21), so the finite-difference steps never reorder.
        let x = try Tensor(shape: [3, 7], scalars: (0..<21).map { Float(($0 * 8) % 21) * 0.1 }, requiresGrad: true)
        XCTAssertEqual(try gradientMismatches([x], "sort") { try $0[0].sort(dim: 1).values }, [])
        XCTAssertEqual(try gradientMismatches([x], "sort desc dim0") { try $0[0].sort(dim: 0, descending: true).values }, [])
        XCTAssertEqual(try gradientMismatches([x], "topk") { try $0[0].topk(3, dim: 1).values }, [])
        XCTAssertEqual(try gradientMismatches([x], "topk smallest") { try $0[0].topk(2, dim: 0, largest: false).values }, [])
    }

    func testBadArgumentsThrow() {
        let x = randomTensor([2, 3], seed: 1)
        XCTAssertThrowsError(try x.sort(dim: 2))
        XCTAssertThrowsError(try x.topk(4, dim: 1))
        XCTAssertThrowsError(try x.topk(-1, dim: 1))
        XCTAssertThrowsError(try x.topk(1, dim: -3))
    }
}
