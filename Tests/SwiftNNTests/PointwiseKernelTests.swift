import Foundation
import XCTest
import SwiftNNMicroKernels
@testable import SwiftNN

/// The loops of pointwise_body.h, norm_body.h and pool_body.h, called at the C level on
/// every path this CPU runs, against naive references at sizes with and without a
/// vector tail (1, 7, 17, 63, 1001, 4099: below, around and far above the 4/8/16-lane
/// widths).
final class PointwiseKernelTests: XCTestCase {
    private let sizes = [1, 7, 17, 63, 1001, 4099]

    private func values(_ n: Int, seed: UInt64, low: Float = -3, high: Float = 3) -> [Float] {
        var rng = TestRNG(seed)
        return (0..<n).map { _ in rng.uniform(low, high) }
    }

    /// Bitwise equality, NaN equal to NaN (the cheap ops must match Swift's arithmetic exactly).
    private func assertIdentical(_ got: [Float], _ expected: [Float], _ what: String) {
        XCTAssertEqual(got.count, expected.count, what)
        for (i, (a, b)) in zip(got, expected).enumerated() where !(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)) {
            XCTFail("\(what) [\(i)]: \(a), expected \(b)")
            return
        }
    }

    func testMapAndZipMatchScalarArithmetic() {
        forEachSupportedISA { isa in
            for n in sizes {
                var a = values(n, seed: UInt64(n)), b = values(n, seed: UInt64(n) + 7)
                // Signed zeros, NaN and infinities in the body and in the tail.
                for (i, special) in [Float.nan, -0.0, .infinity, -.infinity, 0].enumerated() where i * 5 < n {
                    a[i * 5] = special
                    b[n - 1 - i * 5] = special
                }
                var y = [Float](repeating: 42, count: n)
                swiftnn_map(Int32(SWIFTNN_MAP_RELU.rawValue), a, &y, n)
                assertIdentical(y, a.map { $0 < 0 ? 0 : $0 }, "\(isa) relu n=\(n)")
                swiftnn_map(Int32(SWIFTNN_MAP_NEG.rawValue), a, &y, n)
                assertIdentical(y, a.map { -$0 }, "\(isa) neg n=\(n)")
                let zips: [(swiftnn_zip_op, (Float, Float) -> Float)] = [
                    (SWIFTNN_ZIP_ADD, +), (SWIFTNN_ZIP_SUB, -), (SWIFTNN_ZIP_MUL, *), (SWIFTNN_ZIP_DIV, /),
                    (SWIFTNN_ZIP_RELU_BACKWARD, { $1 > 0 ? $0 : 0 })]
                for (op, f) in zips {
                    swiftnn_zip(Int32(op.rawValue), a, b, &y, n)
                    assertIdentical(y, zip(a, b).map(f), "\(isa) zip \(op) n=\(n)")
                    if op == SWIFTNN_ZIP_RELU_BACKWARD { continue }
                    swiftnn_zip_scalar(Int32(op.rawValue), a, 1.5, 0, &y, n)
                    assertIdentical(y, a.map { f($0, 1.5) }, "\(isa) zip \(op) scalar last n=\(n)")
                    swiftnn_zip_scalar(Int32(op.rawValue), a, -0.75, 1, &y, n)
                    assertIdentical(y, a.map { f(-0.75, $0) }, "\(isa) zip \(op) scalar first n=\(n)")
                }
            }
        }
    }

    func testAxpyAgainstDouble() {
        forEachSupportedISA { isa in
            for n in sizes {
                let x = values(n, seed: 3), y0 = values(n, seed: 4)
                var y = y0
                swiftnn_axpy(n, 0.3, x, &y)
                assertClose(y, (0..<n).map { Double(y0[$0]) + 0.3 * Double(x[$0]) }, rtol: 1e-6, atol: 1e-6, "\(isa) axpy n=\(n)")
            }
        }
    }

    /// GELU and its gradient across both tails, against erfc in double (as VectorMathTests).
    func testGELUAgainstDouble() {
        forEachSupportedISA { isa in
            for n in sizes {
                let x = values(n, seed: UInt64(n) * 3, low: -12, high: 12), g = values(n, seed: 9)
                var y = [Float](repeating: .nan, count: n), dx = y
                swiftnn_map(Int32(SWIFTNN_MAP_GELU.rawValue), x, &y, n)
                swiftnn_zip(Int32(SWIFTNN_ZIP_GELU_BACKWARD.rawValue), g, x, &dx, n)
                let phi = x.map { 0.5 * Foundation.erfc(-Double($0) / 2.0.squareRoot()) }
                let density = x.map { Foundation.exp(-0.5 * Double($0) * Double($0)) / (2 * Double.pi).squareRoot() }
                assertClose(y, (0..<n).map { Double(x[$0]) * phi[$0] }, rtol: 1e-6, atol: 1e-7, "\(isa) gelu n=\(n)")
                assertClose(dx, (0..<n).map { Double(g[$0]) * (phi[$0] + Double(x[$0]) * density[$0]) },
                            rtol: 1e-6, atol: 1e-7, "\(isa) gelu backward n=\(n)")
            }
            var special: [Float] = [.nan, .infinity, 0, -0.0], out = [Float](repeating: 1, count: 4)
            swiftnn_map(Int32(SWIFTNN_MAP_GELU.rawValue), &special, &out, 4)
            XCTAssertTrue(out[0].isNaN, "\(isa)")
            XCTAssertEqual(out[1], .infinity, "\(isa)")
            XCTAssertEqual(out[2], 0, "\(isa)")
            // The gradient where e^(−x²/2) leaves the floats (|x| > 13.2) and at NaN.
            var far: [Float] = [.nan, 20, -20, 13.5, -13.5], ones = [Float](repeating: 1, count: 5)
            var grad = [Float](repeating: 7, count: 5)
            swiftnn_zip(Int32(SWIFTNN_ZIP_GELU_BACKWARD.rawValue), &ones, &far, &grad, 5)
            XCTAssertTrue(grad[0].isNaN, "\(isa)")
            XCTAssertEqual(grad[1], 1, "\(isa)"); XCTAssertEqual(grad[3], 1, "\(isa)")
            XCTAssertEqual(grad[2], 0, accuracy: 1e-30, "\(isa)"); XCTAssertEqual(grad[4], 0, accuracy: 1e-30, "\(isa)")
        }
    }

    func testBatchNormRowLoopsAgainstDouble() {
        forEachSupportedISA { isa in
            for n in sizes {
                // Far from zero, so a sum that cancels would show.
                let x = values(n, seed: 11, low: 99, high: 101), g = values(n, seed: 12), r = values(n, seed: 13)
                let y = values(n, seed: 14)  // a stand-in ReLU output: gradient passes where > 0
                var sums: [Float] = [0, 0]
                swiftnn_shifted_sums(x, n, 100, &sums)
                let xd = x.map { Double($0) - 100 }
                assertClose(sums, [xd.reduce(0, +), xd.map { $0 * $0 }.reduce(0, +)], rtol: 1e-5, atol: 1e-5 * Double(n),
                            "\(isa) shifted sums n=\(n)")
                for (relu, residual) in [(false, false), (true, false), (true, true)] {
                    var out = [Float](repeating: .nan, count: n)
                    r.withUnsafeBufferPointer { rp in
                        swiftnn_scale_shift(x, residual ? rp.baseAddress : nil, &out, n, 0.5, -50, relu ? 1 : 0)
                    }
                    let expected = (0..<n).map { i -> Double in
                        let v = Double(x[i]) * 0.5 - 50 + (residual ? Double(r[i]) : 0)
                        return relu ? max(0, v) : v
                    }
                    assertClose(out, expected, rtol: 1e-6, atol: 1e-5, "\(isa) scale_shift relu=\(relu) residual=\(residual) n=\(n)")
                }
                for gated in [false, true] {
                    let gp = (0..<n).map { !gated || y[$0] > 0 ? Double(g[$0]) : 0 }
                    var gOut = [Float](repeating: .nan, count: n)
                    y.withUnsafeBufferPointer { yp in
                        swiftnn_channel_grad_sums(g, gated ? yp.baseAddress : nil, x, &gOut, n, 100, &sums)
                    }
                    assertClose(sums, [gp.reduce(0, +), (0..<n).map { gp[$0] * (Double(x[$0]) - 100) }.reduce(0, +)],
                                rtol: 1e-5, atol: 1e-5 * Double(n), "\(isa) grad sums gated=\(gated) n=\(n)")
                    assertClose(gOut, gp, rtol: 0, atol: 0, "\(isa) gated gradient n=\(n)")
                    var dx = [Float](repeating: .nan, count: n)
                    y.withUnsafeBufferPointer { yp in
                        swiftnn_channel_backward(g, gated ? yp.baseAddress : nil, x, &dx, n, 100, 1.5, 0.25, -0.5)
                    }
                    let expectedDx = (0..<n).map { i -> Double in
                        let centered: Double = Double(x[i]) - 100
                        return gp[i] * 1.5 + 0.5 - centered * 0.25
                    }
                    assertClose(dx, expectedDx, rtol: 1e-5, atol: 1e-5, "\(isa) channel backward gated=\(gated) n=\(n)")
                }
            }
        }
    }

    func testLayerNormRowsAgainstDouble() {
        forEachSupportedISA { isa in
            for width in sizes where width < 2000 {
                let rows = 3
                let x = values(rows * width, seed: UInt64(width), low: 9, high: 11), g = values(rows * width, seed: 2)
                let w = values(width, seed: 3), b = values(width, seed: 4)
                var y = [Float](repeating: .nan, count: rows * width), dx = y
                var mean = [Float](repeating: 0, count: rows), invstd = mean
                var dw = [Float](repeating: 1, count: width), db = dw  // accumulated into
                swiftnn_layer_norm_rows(x, &y, rows, width, 1e-5, w, b, &mean, &invstd)
                swiftnn_layer_norm_rows_backward(g, x, &dx, rows, width, w, mean, invstd, &dw, &db)
                var dxAlone = [Float](repeating: .nan, count: rows * width), dwAlone = dw
                swiftnn_layer_norm_rows_backward(g, x, &dxAlone, rows, width, w, mean, invstd, nil, nil)
                XCTAssertEqual(dxAlone, dx, "\(isa) dx without parameter gradients, width=\(width)")
                swiftnn_layer_norm_rows_backward(g, x, nil, rows, width, w, mean, invstd, &dwAlone, nil)
                assertClose(dwAlone, (0..<width).map { Double(dw[$0]) * 2 - 1 }, rtol: 1e-6, atol: 1e-6,
                            "\(isa) dw again without dx or db (accumulates), width=\(width)")
                var ey: [Double] = [], edx: [Double] = []
                var edw = [Double](repeating: 1, count: width), edb = edw
                for r in 0..<rows {
                    let xs = (0..<width).map { Double(x[r * width + $0]) }, gs = (0..<width).map { Double(g[r * width + $0]) }
                    let m = xs.reduce(0, +) / Double(width)
                    let istd = 1 / (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(width) + 1e-5).squareRoot()
                    let xhat = xs.map { ($0 - m) * istd }, h = (0..<width).map { gs[$0] * Double(w[$0]) }
                    let mh = h.reduce(0, +) / Double(width), mhx = (0..<width).map { h[$0] * xhat[$0] }.reduce(0, +) / Double(width)
                    for j in 0..<width {
                        ey.append(xhat[j] * Double(w[j]) + Double(b[j]))
                        edx.append(istd * (h[j] - mh - xhat[j] * mhx))
                        edw[j] += gs[j] * xhat[j]
                        edb[j] += gs[j]
                    }
                }
                let label = "\(isa) width=\(width)"
                assertClose(y, ey, rtol: 1e-4, atol: 1e-4, "layer norm \(label)")
                assertClose(dx, edx, rtol: 1e-3, atol: 1e-3, "layer norm dx \(label)")
                assertClose(dw, edw, rtol: 1e-4, atol: 1e-4, "layer norm dw \(label)")
                assertClose(db, edb, rtol: 1e-5, atol: 1e-5, "layer norm db \(label)")
            }
        }
    }

    /// Softmax and log-softmax rows (large offsets, −inf entries, an all −inf row) and their
    /// gradients against Double.
    func testSoftmaxRowsAgainstDouble() {
        forEachSupportedISA { isa in
            for width in sizes where width < 2000 {
                let rows = 4
                var x = values(rows * width, seed: UInt64(width), low: -20, high: 20)
                for j in 0..<width { x[width + j] += 1000 }  // row 1 far from 0
                x[2 * width] = -.infinity
                for j in 0..<width { x[3 * width + j] = -.infinity }
                let g = values(rows * width, seed: 8)
                for log in [false, true] {
                    var y = [Float](repeating: .nan, count: rows * width), dx = y
                    swiftnn_softmax_rows(x, &y, rows, width, log ? 1 : 0)
                    swiftnn_softmax_rows_backward(g, y, &dx, rows, width, log ? 1 : 0)
                    var ey: [Double] = [], edx: [Double] = []
                    for r in 0..<rows {
                        let xs = (0..<width).map { Double(x[r * width + $0]) }, gs = (0..<width).map { Double(g[r * width + $0]) }
                        let peak = xs.max()! == -.infinity ? 0 : xs.max()!
                        let total = xs.map { Foundation.exp($0 - peak) }.reduce(0, +)
                        let p = xs.map { Foundation.exp($0 - peak) / total }
                        ey += log ? xs.map { ($0 - peak) - Foundation.log(total) } : p
                        let dot = log ? gs.reduce(0, +) : (0..<width).map { gs[$0] * p[$0] }.reduce(0, +)
                        edx += (0..<width).map { log ? gs[$0] - p[$0] * dot : p[$0] * (gs[$0] - dot) }
                    }
                    let label = "\(isa) \(log ? "log_softmax" : "softmax") width=\(width)"
                    assertClose(y, ey, rtol: 1e-5, atol: 1e-6, label)
                    assertClose(Array(dx[0..<(3 * width)]), Array(edx[0..<(3 * width)]), rtol: 1e-4, atol: 1e-5, "backward \(label)")
                }
            }
        }
    }

    /// The vector hash of the dropout mask against DropoutKernel.hash, from counters that
    /// do not start at 0 (a thread's range) and with NaN and ±inf inputs (kept as x·0 = NaN).
    func testDropoutAgainstScalarHash() {
        forEachSupportedISA { isa in
            for n in sizes {
                for first in [0, 5, 1 << 33] {
                    var x = values(n, seed: UInt64(n) + 1)
                    x[0] = .nan
                    if n > 3 { x[3] = .infinity }
                    let t = DropoutKernel.threshold(keep: 0.7)
                    var y = [Float](repeating: 42, count: n)
                    swiftnn_dropout_mask(x, &y, n, 987_654_321, first, t, 1 / 0.7)
                    let expected = (0..<n).map { i in x[i] * ((DropoutKernel.hash(987_654_321, first + i) >> 40) < t ? 1 / 0.7 : 0) }
                    assertIdentical(y, expected, "\(isa) dropout n=\(n) first=\(first)")
                }
            }
        }
    }

    /// 2×2 max pool with ties (small integers) and NaNs: the first maximum in window
    /// order wins, the first NaN over everything.
    func testMaxPool2x2AgainstNaive() {
        forEachSupportedISA { isa in
            for (planes, height, width) in [(1, 2, 2), (2, 3, 5), (3, 4, 34), (1, 7, 63), (2, 6, 130), (1, 2, 67)] {
                var rng = TestRNG(UInt64(height * width))
                var x = (0..<(planes * height * width)).map { _ in Float(Int(rng.uniform(0, 4))) }
                for i in stride(from: 5, to: x.count, by: 37) { x[i] = .nan }
                let outH = height / 2, outW = width / 2
                var y = [Float](repeating: 0, count: planes * outH * outW)
                var argmax = [Int32](repeating: -1, count: y.count)
                swiftnn_max_pool_2x2(x, planes, height, width, &y, &argmax)
                for p in 0..<planes {
                    for oy in 0..<outH {
                        for ox in 0..<outW {
                            var best = Float.nan, at = -1
                            for k in [0, 1, width, width + 1] {
                                let i = (2 * oy) * width + 2 * ox + k, v = x[p * height * width + i]
                                if at < 0 || (!best.isNaN && (v > best || v.isNaN)) { best = v; at = i }
                            }
                            let q = (p * outH + oy) * outW + ox
                            let label = "\(isa) \(planes)×\(height)×\(width) at (\(p), \(oy), \(ox))"
                            XCTAssertEqual(Int(argmax[q]), at, label)
                            XCTAssertTrue(y[q] == best || (y[q].isNaN && best.isNaN), label)
                        }
                    }
                }
            }
        }
    }

    /// Broadcast arithmetic through the threaded row split against a naive loop over indices.
    func testBroadcastAgainstNaive() {
        forEachSupportedISA { isa in
            let cases: [([Int], [Int])] = [([4, 3, 5, 7], [1, 3, 1, 1]), ([4, 3, 5, 7], [7]), ([2, 1, 9], [5, 1]),
                                           ([3, 1], [1, 4]), ([1], [6]), ([130, 70], [130, 1]), ([2, 3], [2, 3]), ([0, 3], [3])]
            for (aShape, bShape) in cases {
                let shape = try! Shape.broadcast(aShape, bShape)
                let a = values(aShape.reduce(1, *), seed: 1), b = values(bShape.reduce(1, *), seed: 2, low: 0.5, high: 2)
                let ops: [(Pointwise.ZipOp, (Float, Float) -> Float)] = [(.add, +), (.sub, -), (.mul, *), (.div, /)]
                for (op, f) in ops {
                    var out = [Float](repeating: .nan, count: shape.reduce(1, *))
                    Pointwise.broadcast(op, a, aShape: aShape, b, bShape: bShape, &out, shape: shape)
                    let sa = Strides.broadcast(aShape, to: shape), sb = Strides.broadcast(bShape, to: shape)
                    let expected = (0..<out.count).map { flat -> Float in
                        var rest = flat, ia = 0, ib = 0
                        for d in stride(from: shape.count - 1, through: 0, by: -1) {
                            ia += rest % shape[d] * sa[d]; ib += rest % shape[d] * sb[d]; rest /= shape[d]
                        }
                        return f(a[ia], b[ib])
                    }
                    assertIdentical(out, expected, "\(isa) \(op) \(aShape) with \(bShape)")
                }
            }
        }
    }
}
