import XCTest
@testable import SwiftNN
@testable import SwiftNNKernels

/// The Winograd kernels (per-ISA transforms writing packed GEMM panels; F(2×2, 3×3) and,
/// forward, F(4×4, 3×3)) called directly, against a naive float64 convolution, under every
/// path this CPU runs.
/// Sizes hit one-channel images, partial 6-row and 16-lane panels (1, 7, 13, 17 channels),
/// partial tiles (odd outputs), padding 0/1/2, depths past one 256-channel slice, more
/// output rows than one GEMM row block, and several tile blocks per call.
final class WinogradKernelTests: XCTestCase {
    struct Case {
        var n: Int, c: Int, o: Int, h: Int, w: Int, pad: Int
        var problem: Winograd.Problem {
            Winograd.Problem(batch: n, inChannels: c, outChannels: o, height: h, width: w, padTop: pad, padLeft: pad,
                             outH: h + 2 * pad - 2, outW: w + 2 * pad - 2)
        }
    }

    let cases = [
        Case(n: 1, c: 1, o: 1, h: 1, w: 1, pad: 1),
        Case(n: 3, c: 7, o: 17, h: 5, w: 9, pad: 0),
        Case(n: 2, c: 17, o: 7, h: 6, w: 7, pad: 2),
        Case(n: 2, c: 300, o: 13, h: 4, w: 5, pad: 1),
        Case(n: 1, c: 13, o: 181, h: 3, w: 3, pad: 1),
        Case(n: 4, c: 3, o: 5, h: 33, w: 35, pad: 1),
    ]

    func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = TestRNG(seed)
        return (0..<count).map { _ in rng.uniform(-1, 1) }
    }

    /// y[n][o][i][j] = Σ filter(o, c)[ky][kx] · x[n][c][i + ky − pad][j + kx − pad] (+ bias), and
    /// for each output the sum of the terms' magnitudes (the float32 error scale).
    func naiveConv(_ k: Case, x: [Float], filter: (Int, Int, Int) -> Float, bias: [Float]?) -> ([Double], [Double]) {
        let p = k.problem
        var y = [Double](repeating: 0, count: k.n * k.o * p.outH * p.outW), scale = y
        for n in 0..<k.n {
            for o in 0..<k.o {
                for i in 0..<p.outH {
                    for j in 0..<p.outW {
                        var sum = Double(bias?[o] ?? 0), magnitude = abs(sum)
                        for c in 0..<k.c {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let r = i + ky - k.pad, s = j + kx - k.pad
                                    guard r >= 0, r < k.h, s >= 0, s < k.w else { continue }
                                    let term = Double(filter(o, c, ky * 3 + kx)) * Double(x[((n * k.c + c) * k.h + r) * k.w + s])
                                    sum += term
                                    magnitude += abs(term)
                                }
                            }
                        }
                        let index = ((n * k.o + o) * p.outH + i) * p.outW + j
                        y[index] = sum
                        scale[index] = magnitude
                    }
                }
            }
        }
        return (y, scale)
    }

    /// |actual − expected| ≤ relative·scale + 1e-6. F(2×2)'s rounding error stays near 1e-8 of
    /// the terms' magnitude (2e-6 allows for ISA differences); F(4×4)'s is ~10× larger.
    func assertMatches(_ actual: [Float], _ expected: [Double], scale: [Double], _ what: String, relative: Double = 2e-6,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        var worst = 0.0, at = 0
        for i in 0..<min(actual.count, expected.count) {
            let excess = abs(Double(actual[i]) - expected[i]) - (relative * scale[i] + 1e-6)
            if excess > worst { worst = excess; at = i }
        }
        XCTAssertEqual(worst, 0, "\(what): element \(at) is \(actual[at]), expected \(expected[at])", file: file, line: line)
    }

    func testForwardMatchesTheNaiveSum() {
        forEachSupportedISA { isa in
            for tileSize in [2, 4] {
            for (i, k) in cases.enumerated() {
                var p = k.problem
                p.tileSize = tileSize
                let x = values(k.n * k.c * k.h * k.w, seed: UInt64(10 * i + 1))
                let weight = values(k.o * k.c * 9, seed: UInt64(10 * i + 2))
                let bias = i % 2 == 0 ? values(k.o, seed: UInt64(10 * i + 3)) : nil
                var y = [Float](repeating: .nan, count: k.n * k.o * p.outH * p.outW)
                x.withUnsafeBufferPointer { xb in
                    weight.withUnsafeBufferPointer { wb in
                        y.withUnsafeMutableBufferPointer { yb in
                            if let bias {
                                bias.withUnsafeBufferPointer { bb in
                                    Winograd.forward(p, x: xb.baseAddress!, filters: wb.baseAddress!, rotated: false,
                                                     bias: bb.baseAddress!, y: yb.baseAddress!)
                                }
                            } else {
                                Winograd.forward(p, x: xb.baseAddress!, filters: wb.baseAddress!, rotated: false,
                                                 bias: nil, y: yb.baseAddress!)
                            }
                        }
                    }
                }
                let (expected, scale) = naiveConv(k, x: x, filter: { o, c, t in weight[(o * k.c + c) * 9 + t] }, bias: bias)
                assertMatches(y, expected, scale: scale, "\(isa) F(\(tileSize)) forward case \(i)",
                              relative: tileSize == 4 ? 2e-5 : 2e-6)
            }
            }
        }
    }

    /// `rotated` reads [in][out][3][3] filters turned by 180° (the input-gradient form).
    func testRotatedFiltersMatchTheNaiveSum() {
        forEachSupportedISA { isa in
            for tileSize in [2, 4] {
            for (i, k) in cases.enumerated() {
                var p = k.problem
                p.tileSize = tileSize
                let x = values(k.n * k.c * k.h * k.w, seed: UInt64(10 * i + 4))
                let filters = values(k.c * k.o * 9, seed: UInt64(10 * i + 5))
                var y = [Float](repeating: .nan, count: k.n * k.o * p.outH * p.outW)
                x.withUnsafeBufferPointer { xb in
                    filters.withUnsafeBufferPointer { fb in
                        y.withUnsafeMutableBufferPointer { yb in
                            Winograd.forward(p, x: xb.baseAddress!, filters: fb.baseAddress!, rotated: true, bias: nil,
                                             y: yb.baseAddress!)
                        }
                    }
                }
                let (expected, scale) = naiveConv(k, x: x, filter: { o, c, t in filters[(c * k.o + o) * 9 + 8 - t] }, bias: nil)
                assertMatches(y, expected, scale: scale, "\(isa) F(\(tileSize)) rotated case \(i)",
                              relative: tileSize == 4 ? 2e-5 : 2e-6)
            }
            }
        }
    }

    /// gw[o][c][ky][kx] = Σ_{n,i,j} gy[n][o][i][j] · x[n][c][i + ky − pad][j + kx − pad].
    func testWeightGradientMatchesTheNaiveSum() {
        forEachSupportedISA { isa in
            for (i, k) in cases.enumerated() {
                let p = k.problem
                let x = values(k.n * k.c * k.h * k.w, seed: UInt64(10 * i + 6))
                let gy = values(k.n * k.o * p.outH * p.outW, seed: UInt64(10 * i + 7))
                var gw = [Float](repeating: .nan, count: k.o * k.c * 9)
                x.withUnsafeBufferPointer { xb in
                    gy.withUnsafeBufferPointer { gb in
                        gw.withUnsafeMutableBufferPointer { wb in
                            Winograd.weightGradient(p, x: xb.baseAddress!, gy: gb.baseAddress!, into: wb.baseAddress!)
                        }
                    }
                }
                var expected = [Double](repeating: 0, count: gw.count), scale = expected
                for n in 0..<k.n {
                    for o in 0..<k.o {
                        for c in 0..<k.c {
                            for t in 0..<9 {
                                let ky = t / 3, kx = t % 3
                                var sum = 0.0, magnitude = 0.0
                                for r in 0..<p.outH {
                                    for s in 0..<p.outW {
                                        let iy = r + ky - k.pad, ix = s + kx - k.pad
                                        guard iy >= 0, iy < k.h, ix >= 0, ix < k.w else { continue }
                                        let term = Double(gy[((n * k.o + o) * p.outH + r) * p.outW + s])
                                            * Double(x[((n * k.c + c) * k.h + iy) * k.w + ix])
                                        sum += term
                                        magnitude += abs(term)
                                    }
                                }
                                expected[(o * k.c + c) * 9 + t] += sum
                                scale[(o * k.c + c) * 9 + t] += magnitude
                            }
                        }
                    }
                }
                assertMatches(gw, expected, scale: scale, "\(isa) weight gradient case \(i)")
            }
        }
    }

    /// Thin layers take Winograd only where the direct kernel's 16-pixel strips are part empty.
    func testChannelThresholdFollowsTheRowWidth() {
        func problem(_ c: Int, _ o: Int, size: Int) -> ConvProblem {
            ConvProblem(batch: 128, groups: 1, outChannels: o, geometry: WindowGeometry(
                channels: c, height: size, width: size, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1,
                padLeft: 1, dilationH: 1, dilationW: 1, outH: size, outW: size))
        }
        XCTAssertNil(problem(16, 16, size: 32).winogradForward)
        XCTAssertNil(problem(32, 32, size: 16).winogradForward, "direct kernel preferred on thin full-strip layers")
        XCTAssertNotNil(problem(64, 64, size: 16).winogradForward)
        XCTAssertNotNil(problem(48, 12, size: 8).winogradForward)
        XCTAssertNil(problem(48, 8, size: 8).winogradForward)
        XCTAssertNotNil(problem(8, 8, size: 4).winogradForward)
        XCTAssertNil(problem(4, 8, size: 4).winogradForward)
    }

    /// Filters packed once serve several calls (the eval-mode reuse `PackedFilters` is for).
    func testPackedFiltersServeSeveralInputs() {
        let k = cases[2], p = k.problem
        let weight = values(k.o * k.c * 9, seed: 101)
        let packed = weight.withUnsafeBufferPointer {
            Winograd.PackedFilters($0.baseAddress!, outChannels: k.o, inChannels: k.c, rotated: false, tileSize: 2)
        }
        for seed in [102, 103] as [UInt64] {
            let x = values(k.n * k.c * k.h * k.w, seed: seed)
            var y = [Float](repeating: .nan, count: k.n * k.o * p.outH * p.outW)
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    Winograd.forward(p, x: xb.baseAddress!, packed: packed, bias: nil, y: yb.baseAddress!)
                }
            }
            let (expected, scale) = naiveConv(k, x: x, filter: { o, c, t in weight[(o * k.c + c) * 9 + t] }, bias: nil)
            assertMatches(y, expected, scale: scale, "packed filters, input \(seed)")
        }
    }

    /// Winograd runs from one 16-tile panel per thread on; fewer tiles go to the threaded im2col GEMM.
    func testWinogradNeedsSixteenTilesPerThread() {
        XCTAssertTrue(Winograd.requiresBlockPerThread)
        let threads = ThreadPool.shared.threadCount
        // A 2×2 output is one tile per image.
        XCTAssertTrue(Winograd.applies(batch: 16 * threads, inChannels: 128, outChannels: 256, outH: 2, outW: 2))
        XCTAssertFalse(Winograd.applies(batch: 16 * threads - 1, inChannels: 128, outChannels: 256, outH: 2, outW: 2))
        // One 8×8 image is 16 tiles.
        XCTAssertEqual(Winograd.applies(batch: 1, inChannels: 256, outChannels: 256, outH: 8, outW: 8), threads == 1)
    }
}
