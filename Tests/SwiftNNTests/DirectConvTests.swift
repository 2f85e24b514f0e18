import XCTest
@testable import SwiftNN

/// The in-place (no column matrix) stride-1 convolution: forward, input gradient and
/// weight gradient against the im2col kernel, which ConvTests checks against the naive
/// sum and finite differences. Sizes are chosen to hit partial strips (width 17), partial
/// channel panels (1, 7, 17 outputs), depths past one 256-deep slice, dilation and
/// asymmetric 'same' padding.
final class DirectConvTests: XCTestCase {
    struct Case {
        var n = 2, c = 3, h = 8, w = 8, o = 4, kh = 3, kw = 3
        var padTop = 1, padLeft = 1, padBottom = 1, padRight = 1, dilation = 1, bias = true

        var outH: Int { h + padTop + padBottom - dilation * (kh - 1) }
        var outW: Int { w + padLeft + padRight - dilation * (kw - 1) }
        var padding: ConvPadding {
            padTop == padBottom && padLeft == padRight ? .explicit(padTop, padLeft) : .same
        }
        var problem: ConvProblem {
            ConvProblem(batch: n, groups: 1, outChannels: o, geometry: WindowGeometry(
                channels: c, height: h, width: w, kernelH: kh, kernelW: kw, strideH: 1, strideW: 1, padTop: padTop,
                padLeft: padLeft, dilationH: dilation, dilationW: dilation, outH: outH, outW: outW))
        }
    }

    func testMatchesTheIm2colKernel() throws {
        let cases = [
            Case(c: 1, o: 1),
            Case(n: 3, c: 7, h: 9, w: 17, o: 17),
            Case(c: 33, h: 8, w: 10, o: 7),
            Case(c: 5, h: 12, w: 12, o: 6, kh: 2, kw: 4, padTop: 0, padLeft: 1, padBottom: 1, padRight: 2),
            Case(c: 3, h: 10, w: 20, o: 16, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2, dilation: 2, bias: false),
            Case(c: 4, h: 9, w: 8, o: 9, kh: 1, kw: 3, padTop: 0, padLeft: 1, padBottom: 0, padRight: 1),
            Case(c: 2, h: 12, w: 11, o: 3, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0),
        ]
        for (i, k) in cases.enumerated() {
            let seed = UInt64(200 + 10 * i)
            let problem = k.problem
            XCTAssertNotNil(problem.directForward, "case \(i) should read the image in place")
            XCTAssertNotNil(problem.directInputGradient, "case \(i): input gradient in place")
            XCTAssertNil(problem.winogradForward, "case \(i) must not take the Winograd path")

            let x = randomTensor([k.n, k.c, k.h, k.w], seed: seed)
            let w = randomTensor([k.o, k.c, k.kh, k.kw], seed: seed + 1)
            let b = k.bias ? randomTensor([k.o], seed: seed + 2) : nil
            let y = try x.conv2d(weight: w, bias: b, padding: k.padding, dilation: Pair(k.dilation))
            XCTAssertEqual(y.shape, [k.n, k.o, k.outH, k.outW], "case \(i)")
            let gy = randomTensor(y.shape, seed: seed + 3, requiresGrad: false)
            try y.backward(gy)

            let expectedY = try Tensor.zeros(y.shape), expectedGX = try Tensor.zeros(x.shape)
            let expectedGW = try Tensor.zeros(w.shape)
            ConvKernel.forward(problem, x: x.data, weight: w.data, bias: b.map { UnsafePointer($0.data) }, y: expectedY.data)
            ConvKernel.backward(problem, x: x.data, weight: w.data, gy: gy.data, gx: expectedGX.data,
                                gWeight: expectedGW.data, gBias: nil)
            assertClose(y, shape: y.shape, expectedY.scalars.map(Double.init), rtol: 1e-4, atol: 1e-4)
            assertClose(x.grad, shape: x.shape, expectedGX.scalars.map(Double.init), rtol: 1e-4, atol: 1e-4)
            assertClose(w.grad, shape: w.shape, expectedGW.scalars.map(Double.init), rtol: 1e-4, atol: 1e-4)
        }
    }

    func testGradientsAgainstFiniteDifferences() throws {
        let k = Case(c: 2, h: 5, w: 9, o: 3)
        XCTAssertNotNil(k.problem.directForward)
        let x = randomTensor([k.n, k.c, k.h, k.w], seed: 300)
        let w = randomTensor([k.o, k.c, k.kh, k.kw], seed: 301)
        let b = randomTensor([k.o], seed: 302)
        checkGradients([x, w, b], "direct conv") { t in try t[0].conv2d(weight: t[1], bias: t[2], padding: .explicit(1, 1)) }
    }

    /// Narrow outputs (images are folded together instead) and 1×1 windows stay on the
    /// im2col path; batches smaller than the thread count read in place on thin layers
    /// with whole 16-pixel strips.
    func testNarrowOutputsUseIm2col() {
        XCTAssertNil(Case(h: 4, w: 4).problem.directForward)
        XCTAssertNil(Case(h: 16, w: 16, kh: 1, kw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0).problem.directForward,
                     "a 1×1 convolution multiplies the image itself")
        XCTAssertNotNil(Case(n: 1, h: 16, w: 16).problem.directForward)
        if ThreadPool.shared.threadCount > 1 {
            XCTAssertNil(Case(n: 1, h: 8, w: 8).problem.directForward)
            XCTAssertNil(Case(n: 1, c: 64, h: 16, w: 16, o: 64).problem.directForward)
        }
    }

    /// Fewer images than threads: each image's output channels are split into panel-aligned
    /// parts over the threads. Forward and input gradient against the im2col kernel, for
    /// channel counts below one panel, across panels and with a partial last panel.
    func testChannelSplitWithinAnImage() throws {
        let previous = ThreadPool.shared.threadCount
        ThreadPool.shared.setThreadCount(3)
        defer { ThreadPool.shared.setThreadCount(previous) }
        let cases = [Case(n: 1, c: 3, h: 9, w: 17, o: 1), Case(n: 1, c: 5, h: 8, w: 16, o: 7),
                     Case(n: 1, c: 17, h: 10, w: 19, o: 17), Case(n: 2, c: 4, h: 11, w: 16, o: 13, bias: false),
                     Case(n: 1, c: 63, h: 8, w: 16, o: 40)]
        for (i, k) in cases.enumerated() {
            let seed = UInt64(400 + 10 * i)
            XCTAssertNotNil(k.problem.directForward, "case \(i)")
            let x = randomTensor([k.n, k.c, k.h, k.w], seed: seed)
            let w = randomTensor([k.o, k.c, k.kh, k.kw], seed: seed + 1)
            let b = k.bias ? randomTensor([k.o], seed: seed + 2) : nil
            let y = try x.conv2d(weight: w, bias: b, padding: k.padding)
            let gy = randomTensor(y.shape, seed: seed + 3, requiresGrad: false)
            try y.backward(gy)
            let expectedY = try Tensor.zeros(y.shape), expectedGX = try Tensor.zeros(x.shape)
            ConvKernel.forward(k.problem, x: x.data, weight: w.data, bias: b.map { UnsafePointer($0.data) }, y: expectedY.data)
            ConvKernel.backward(k.problem, x: x.data, weight: w.data, gy: gy.data, gx: expectedGX.data, gWeight: nil, gBias: nil)
            assertClose(y, shape: y.shape, expectedY.scalars.map(Double.init), rtol: 1e-4, atol: 1e-4)
            assertClose(x.grad, shape: x.shape, expectedGX.scalars.map(Double.init), rtol: 1e-4, atol: 1e-4)
        }
    }
}
