import XCTest
@testable import SwiftNN

/// Pooling against direct references written from PyTorch's definitions, and
/// gradients against finite differences.
final class PoolTests: XCTestCase {
    /// One window per output cell, listed as (row range, column range) of padded
    /// coordinates; PyTorch's output-size rule for ceil_mode.
    func windows(size: Int, k: Int, s: Int, p: Int, d: Int, ceil: Bool) -> [Int] {
        let span = size + 2 * p - d * (k - 1) - 1
        var out = (ceil ? Int((Double(span) / Double(s)).rounded(.up)) : span / s) + 1
        if ceil && (out - 1) * s >= size + p { out -= 1 }
        return (0..<out).map { $0 * s - p }
    }

    func naiveMax(_ x: Tensor, k: Pair, s: Pair, p: Pair, d: Pair, ceil: Bool) -> (shape: [Int], values: [Double]) {
        let (planes, h, w) = (x.shape.dropLast(2).reduce(1, *), x.shape[x.rank - 2], x.shape[x.rank - 1])
        let rows = windows(size: h, k: k.h, s: s.h, p: p.h, d: d.h, ceil: ceil)
        let cols = windows(size: w, k: k.w, s: s.w, p: p.w, d: d.w, ceil: ceil)
        let xs = x.scalars
        var out: [Double] = []
        for plane in 0..<planes {
            for r in rows {
                for c in cols {
                    var best = -Double.infinity
                    for i in 0..<k.h {
                        for j in 0..<k.w {
                            let y = r + i * d.h, xx = c + j * d.w
                            if y >= 0 && y < h && xx >= 0 && xx < w { best = max(best, Double(xs[(plane * h + y) * w + xx])) }
                        }
                    }
                    out.append(best)
                }
            }
        }
        return (Array(x.shape.dropLast(2)) + [rows.count, cols.count], out)
    }

    func naiveAvg(_ x: Tensor, k: Pair, s: Pair, p: Pair, ceil: Bool, includePad: Bool, divisor: Int?) -> (shape: [Int], values: [Double]) {
        let (planes, h, w) = (x.shape.dropLast(2).reduce(1, *), x.shape[x.rank - 2], x.shape[x.rank - 1])
        let rows = windows(size: h, k: k.h, s: s.h, p: p.h, d: 1, ceil: ceil)
        let cols = windows(size: w, k: k.w, s: s.w, p: p.w, d: 1, ceil: ceil)
        let xs = x.scalars
        var out: [Double] = []
        for plane in 0..<planes {
            for r in rows {
                for c in cols {
                    // PyTorch: the window is clipped to the padded input for count_include_pad, to the input otherwise.
                    let rEnd = min(r + k.h, h + p.h), cEnd = min(c + k.w, w + p.w)
                    let padded = (rEnd - r) * (cEnd - c)
                    var total = 0.0, count = 0
                    for y in max(r, 0)..<min(rEnd, h) {
                        for xx in max(c, 0)..<min(cEnd, w) {
                            total += Double(xs[(plane * h + y) * w + xx])
                            count += 1
                        }
                    }
                    out.append(total / Double(divisor ?? (includePad ? padded : count)))
                }
            }
        }
        return (Array(x.shape.dropLast(2)) + [rows.count, cols.count], out)
    }

    func testMaxPoolCases() throws {
        let cases: [(shape: [Int], k: Pair, s: Pair, p: Pair, d: Pair, ceil: Bool)] = [
            ([2, 3, 8, 8], Pair(2), Pair(2), Pair(0), Pair(1), false),
            ([1, 2, 7, 7], Pair(3), Pair(2), Pair(1), Pair(1), false),
            ([1, 2, 7, 7], Pair(3), Pair(2), Pair(1), Pair(1), true),
            ([2, 1, 17, 9], Pair(3, 2), Pair(2, 3), Pair(1, 1), Pair(2, 1), true),
            ([3, 5, 5], Pair(2), Pair(1), Pair(1), Pair(1), false),
            ([1, 1, 1, 1], Pair(1), Pair(1), Pair(0), Pair(1), false),
        ]
        for (i, c) in cases.enumerated() {
            let x = distinctTensor(c.shape, seed: UInt64(100 + i), spacing: 0.05)
            let y = try x.maxPool2d(kernel: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
            let ref = naiveMax(x, k: c.k, s: c.s, p: c.p, d: c.d, ceil: c.ceil)
            assertClose(y, shape: ref.shape, ref.values)
            checkGradients([x], "max_pool2d case \(i)") {
                try $0[0].maxPool2d(kernel: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
            }
        }
    }

    func testMaxPoolIndicesAreFlatPlanePositions() throws {
        let x = tensor([1, 1, 2, 3], [1, 9, 2, 8, 3, 7])
        let (values, indices) = try x.maxPool2dWithIndices(kernel: Pair(2), stride: Pair(1))
        XCTAssertEqual(values.scalars, [9, 9])
        XCTAssertEqual(indices, [1, 1])
    }

    func testAvgPoolCases() throws {
        let cases: [(shape: [Int], k: Pair, s: Pair, p: Pair, ceil: Bool, include: Bool, divisor: Int?)] = [
            ([2, 3, 8, 8], Pair(2), Pair(2), Pair(0), false, true, nil),
            ([1, 2, 7, 7], Pair(3), Pair(2), Pair(1), false, true, nil),
            ([1, 2, 7, 7], Pair(3), Pair(2), Pair(1), false, false, nil),
            ([1, 2, 7, 6], Pair(3), Pair(2), Pair(1), true, true, nil),
            ([1, 2, 7, 6], Pair(3), Pair(2), Pair(1), true, false, nil),
            ([2, 1, 17, 9], Pair(4, 2), Pair(3, 2), Pair(2, 1), true, true, nil),
            ([1, 3, 5, 5], Pair(2), Pair(2), Pair(1), false, true, 3),
        ]
        for (i, c) in cases.enumerated() {
            let x = randomTensor(c.shape, seed: UInt64(200 + i))
            let y = try x.avgPool2d(kernel: c.k, stride: c.s, padding: c.p, ceilMode: c.ceil,
                                    countIncludePad: c.include, divisorOverride: c.divisor)
            let ref = naiveAvg(x, k: c.k, s: c.s, p: c.p, ceil: c.ceil, includePad: c.include, divisor: c.divisor)
            assertClose(y, shape: ref.shape, ref.values)
            checkGradients([x], "avg_pool2d case \(i)") {
                try $0[0].avgPool2d(kernel: c.k, stride: c.s, padding: c.p, ceilMode: c.ceil,
                                    countIncludePad: c.include, divisorOverride: c.divisor)
            }
        }
    }

    func testAdaptivePools() throws {
        // 7 → 3: windows [0,3) [2,5) [4,7) as PyTorch (floor start, ceil end).
        let x = distinctTensor([2, 2, 7, 5], seed: 300)
        let avg = try x.adaptiveAvgPool2d(outputSize: (3, 2))
        let max = try x.adaptiveMaxPool2d(outputSize: (3, 2))
        XCTAssertEqual(avg.shape, [2, 2, 3, 2])
        let xs = x.scalars
        var expectAvg: [Double] = [], expectMax: [Double] = []
        for plane in 0..<4 {
            for (r0, r1) in [(0, 3), (2, 5), (4, 7)] {
                for (c0, c1) in [(0, 3), (2, 5)] {
                    var values: [Double] = []
                    for r in r0..<r1 { for c in c0..<c1 { values.append(Double(xs[(plane * 7 + r) * 5 + c])) } }
                    expectAvg.append(values.reduce(0, +) / Double(values.count))
                    expectMax.append(values.max()!)
                }
            }
        }
        assertClose(avg, shape: [2, 2, 3, 2], expectAvg)
        assertClose(max, shape: [2, 2, 3, 2], expectMax)
        checkGradients([x], "adaptive avg") { try $0[0].adaptiveAvgPool2d(outputSize: (3, 2)) }
        checkGradients([x], "adaptive max") { try $0[0].adaptiveMaxPool2d(outputSize: (3, 2)) }
        // Global pooling and a kept dimension.
        assertClose(try x.adaptiveAvgPool2d(outputSize: (1, 1)), shape: [2, 2, 1, 1],
                    (0..<4).map { p in xs[(p * 35)..<(p * 35 + 35)].map(Double.init).reduce(0, +) / 35 })
        XCTAssertEqual(try x.adaptiveAvgPool2d(outputSize: (nil, 2)).shape, [2, 2, 7, 2])
        // Upsampling windows overlap: 2 → 5.
        let small = randomTensor([1, 1, 2, 2], seed: 301)
        checkGradients([small], "adaptive avg up") { try $0[0].adaptiveAvgPool2d(outputSize: (5, 3)) }
    }

    func testBadPoolArguments() {
        let x = randomTensor([1, 1, 4, 4], seed: 400)
        assertThrows(.invalidArgument, contains: "half of kernel size", try x.maxPool2d(kernel: Pair(2), padding: Pair(2)))
        assertThrows(.invalidArgument, contains: "too small", try x.maxPool2d(kernel: Pair(5)))
        assertThrows(.invalidArgument, contains: "[4, 4]", try randomTensor([4, 4], seed: 401).avgPool2d(kernel: Pair(2)))
        assertThrows(.invalidArgument, try x.adaptiveAvgPool2d(outputSize: (0, 1)))
        assertThrows(.invalidArgument, try MaxPool2d(kernelSize: Pair(0)))
    }
}
