import XCTest
@testable import SwiftNN

/// Convolution against a direct seven-loop reference, and its gradients against
/// finite differences, over strides, padding (incl. 'same'), dilation, groups and
/// awkward sizes.
final class ConvTests: XCTestCase {
    struct Case {
        var n = 2, c = 3, h = 7, w = 7, o = 4, kh = 3, kw = 3
        var stride = Pair(1), padding = ConvPadding.explicit(0, 0), dilation = Pair(1), groups = 1, bias = true
    }

    /// out[n][o][y][x] = b[o] + Σ w[o][c][i][j] · in[n][g·C/g + c][y·s − p + i·d][x·s − p + j·d], in Double.
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ k: Case, padTop: Int, padLeft: Int,
                   outH: Int, outW: Int) -> [Double] {
        let xs = x.scalars, ws = w.scalars, bs = b?.scalars
        let cg = k.c / k.groups, og = k.o / k.groups
        var out = [Double](repeating: 0, count: k.n * k.o * outH * outW)
        for n in 0..<k.n {
            for o in 0..<k.o {
                let group = o / og
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var total = Double(bs?[o] ?? 0)
                        for c in 0..<cg {
                            for i in 0..<k.kh {
                                for j in 0..<k.kw {
                                    let iy = oy * k.stride.h - padTop + i * k.dilation.h
                                    let ix = ox * k.stride.w - padLeft + j * k.dilation.w
                                    guard iy >= 0, iy < k.h, ix >= 0, ix < k.w else { continue }
                                    let xv = xs[((n * k.c + group * cg + c) * k.h + iy) * k.w + ix]
                                    total += Double(xv) * Double(ws[((o * cg + c) * k.kh + i) * k.kw + j])
                                }
                            }
                        }
                        out[((n * k.o + o) * outH + oy) * outW + ox] = total
                    }
                }
            }
        }
        return out
    }

    func inputs(_ k: Case, seed: UInt64) -> (Tensor, Tensor, Tensor?) {
        let x = randomTensor([k.n, k.c, k.h, k.w], seed: seed)
        let w = randomTensor([k.o, k.c / k.groups, k.kh, k.kw], seed: seed + 1)
        let b = k.bias ? randomTensor([k.o], seed: seed + 2) : nil
        return (x, w, b)
    }

    func check(_ k: Case, seed: UInt64, gradients: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, w, b) = inputs(k, seed: seed)
        let y = try x.conv2d(weight: w, bias: b, stride: k.stride, padding: k.padding, dilation: k.dilation, groups: k.groups)
        var padTop = 0, padLeft = 0, padBottom = 0, padRight = 0
        switch k.padding {
        case .explicit(let ph, let pw): (padTop, padLeft, padBottom, padRight) = (ph, pw, ph, pw)
        case .valid: break
        case .same:
            let th = k.dilation.h * (k.kh - 1), tw = k.dilation.w * (k.kw - 1)
            (padTop, padLeft, padBottom, padRight) = (th / 2, tw / 2, th - th / 2, tw - tw / 2)
        }
        let outH = (k.h + padTop + padBottom - k.dilation.h * (k.kh - 1) - 1) / k.stride.h + 1
        let outW = (k.w + padLeft + padRight - k.dilation.w * (k.kw - 1) - 1) / k.stride.w + 1
        let expected = naiveConv(x, w, b, k, padTop: padTop, padLeft: padLeft, outH: outH, outW: outW)
        assertClose(y, shape: [k.n, k.o, outH, outW], expected, rtol: 1e-4, atol: 1e-5, file: file, line: line)
        if gradients {
            checkGradients([x, w] + (b.map { [$0] } ?? []), "conv \(k)", file: file, line: line) { t in
                try t[0].conv2d(weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: k.stride, padding: k.padding,
                                dilation: k.dilation, groups: k.groups)
            }
        }
    }

    func testBasicAndPadded() throws {
        try check(Case(), seed: 1)
        try check(Case(padding: .explicit(1, 1)), seed: 2)
        try check(Case(padding: .explicit(2, 0), bias: false), seed: 3)
    }

    func testStrideDilationAndAsymmetricKernels() throws {
        try check(Case(h: 9, w: 8, kh: 3, kw: 2, stride: Pair(2, 3), padding: .explicit(1, 1)), seed: 4)
        try check(Case(h: 9, w: 9, stride: Pair(1), padding: .explicit(2, 2), dilation: Pair(2)), seed: 5)
        try check(Case(h: 11, w: 10, kh: 2, kw: 3, stride: Pair(3, 2), padding: .explicit(1, 0), dilation: Pair(2, 3)), seed: 6)
    }

    func testSameAndValidPadding() throws {
        try check(Case(kh: 3, kw: 3, padding: .same), seed: 7)
        try check(Case(h: 6, w: 5, kh: 4, kw: 2, padding: .same), seed: 8)  // even kernels pad more at the end
        try check(Case(h: 8, w: 8, padding: .same, dilation: Pair(2)), seed: 9)
        try check(Case(padding: .valid), seed: 10)
    }

    func testGroupsAndDepthwise() throws {
        try check(Case(c: 4, o: 6, groups: 2), seed: 11)
        try check(Case(c: 3, o: 3, padding: .explicit(1, 1), groups: 3), seed: 12)
        try check(Case(c: 4, o: 8, stride: Pair(2), padding: .explicit(1, 1), groups: 4), seed: 13)
    }

    func testPointwiseFastPath() throws {
        try check(Case(n: 3, c: 5, h: 4, w: 3, o: 7, kh: 1, kw: 1), seed: 14)
        try check(Case(n: 1, c: 5, h: 17, w: 17, o: 3, kh: 1, kw: 1, bias: false), seed: 15, gradients: false)
        try check(Case(n: 2, c: 4, h: 5, w: 5, o: 4, kh: 1, kw: 1, groups: 2), seed: 16)
        try check(Case(n: 2, c: 4, h: 5, w: 5, o: 6, kh: 1, kw: 1, stride: Pair(2)), seed: 17)
        // Outputs of whole 16-column panels, several images per GEMM: read, written and (input
        // gradient) written back in place, per image.
        try check(Case(n: 5, c: 6, h: 4, w: 4, o: 7, kh: 1, kw: 1), seed: 25)
        try check(Case(n: 3, c: 4, h: 8, w: 8, o: 6, kh: 1, kw: 1, groups: 2), seed: 26)
        try check(Case(n: 4, c: 3, h: 4, w: 4, o: 5, padding: .explicit(1, 1)), seed: 27)
    }

    func testOddSizesAndBatchOne() throws {
        try check(Case(n: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1), seed: 18)
        try check(Case(n: 1, c: 7, h: 17, w: 17, o: 5, kh: 7, kw: 7, padding: .explicit(3, 3)), seed: 19, gradients: false)
        try check(Case(n: 1, c: 2, h: 7, w: 1, o: 3, kh: 3, kw: 1, padding: .explicit(1, 0)), seed: 20)
    }

    /// Large enough that the batch is split over threads and small images are folded per GEMM.
    func testThreadedAndFoldedBatches() throws {
        try check(Case(n: 17, c: 6, h: 5, w: 5, o: 7, padding: .explicit(1, 1)), seed: 21, gradients: false)
        try check(Case(n: 9, c: 4, h: 3, w: 4, o: 5, padding: .explicit(1, 1)), seed: 22)
        try check(Case(n: 33, c: 17, h: 2, w: 2, o: 9, kh: 1, kw: 1), seed: 23, gradients: false)
        try check(Case(n: 12, c: 4, h: 4, w: 4, o: 6, groups: 2), seed: 24)
    }

    /// 3×3 stride-1 convolutions with ≥32 channels take the Winograd path; its results must
    /// match the direct sum, including odd sizes (partial tiles) and every padding.
    func testWinogradPathMatchesTheDirectSum() throws {
        Winograd.requiresBlockPerThread = false
        defer { Winograd.requiresBlockPerThread = true }
        let cases = [
            Case(n: 2, c: 32, h: 8, w: 8, o: 32, padding: .explicit(1, 1)),
            Case(n: 1, c: 33, h: 7, w: 5, o: 35, padding: .explicit(1, 1)),
            Case(n: 3, c: 32, h: 5, w: 6, o: 48, padding: .explicit(0, 0), bias: false),
            Case(n: 2, c: 40, h: 3, w: 9, o: 32, padding: .same),
            Case(n: 1, c: 32, h: 2, w: 2, o: 32, padding: .explicit(1, 1)),
            Case(n: 5, c: 32, h: 4, w: 4, o: 36, padding: .explicit(2, 1)),
        ]
        for (i, k) in cases.enumerated() {
            var (ph, pw) = (1, 1)
            if case .explicit(let h, let w) = k.padding { (ph, pw) = (h, w) }
            let problem = ConvProblem(batch: k.n, groups: 1, outChannels: k.o, geometry: WindowGeometry(
                channels: k.c, height: k.h, width: k.w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: ph,
                padLeft: pw, dilationH: 1, dilationW: 1, outH: k.h + 2 * ph - 2, outW: k.w + 2 * pw - 2))
            XCTAssertNotNil(problem.winogradForward, "case \(i) should take the Winograd path")
            try check(k, seed: UInt64(60 + i), gradients: false)
        }
    }

    /// The input gradient through the Winograd path (rotated filters) against finite differences.
    func testWinogradInputGradient() throws {
        Winograd.requiresBlockPerThread = false
        defer { Winograd.requiresBlockPerThread = true }
        for (i, padding) in [ConvPadding.explicit(1, 1), .explicit(0, 0), .explicit(2, 2)].enumerated() {
            let x = randomTensor([1, 32, 4, 3], seed: UInt64(70 + i))
            let w = randomTensor([32, 32, 3, 3], seed: UInt64(80 + i), low: -0.2, high: 0.2, requiresGrad: false)
            checkGradients([x], "winograd dx \(padding)") { try $0[0].conv2d(weight: w, padding: padding) }
        }
    }

    /// The Winograd weight gradient against the im2col kernel's, which the finite-difference
    /// tests above cover.
    func testWinogradWeightGradientMatchesIm2col() throws {
        Winograd.requiresBlockPerThread = false
        defer { Winograd.requiresBlockPerThread = true }
        for (i, k) in [Case(n: 3, c: 32, h: 7, w: 6, o: 33, padding: .explicit(1, 1)),
                       Case(n: 2, c: 34, h: 5, w: 5, o: 32, padding: .explicit(0, 0)),
                       Case(n: 1, c: 32, h: 2, w: 3, o: 32, padding: .explicit(2, 1))].enumerated() {
            let (x, w, _) = inputs(k, seed: UInt64(90 + i))
            let y = try x.conv2d(weight: w, padding: k.padding)
            let gy = randomTensor(y.shape, seed: UInt64(95 + i), requiresGrad: false)
            try y.backward(gy)
            guard case .explicit(let ph, let pw) = k.padding else { continue }
            let problem = ConvProblem(batch: k.n, groups: 1, outChannels: k.o, geometry: WindowGeometry(
                channels: k.c, height: k.h, width: k.w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: ph,
                padLeft: pw, dilationH: 1, dilationW: 1, outH: y.shape[2], outW: y.shape[3]))
            XCTAssertNotNil(problem.winogradForward)
            let reference = try Tensor.zeros(w.shape)
            ConvKernel.backward(problem, x: x.data, weight: w.data, gy: gy.data, gx: nil, gWeight: reference.data, gBias: nil)
            assertClose(w.grad, shape: w.shape, reference.scalars, rtol: 1e-4, atol: 1e-4)
        }
    }

    /// With fewer tile blocks than threads (batch-1 inference) the threaded im2col GEMM
    /// runs instead; a large batch of the same layer stays on Winograd.
    func testWinogradNeedsABlockPerThread() throws {
        func problem(batch: Int) -> ConvProblem {
            ConvProblem(batch: batch, groups: 1, outChannels: 256, geometry: WindowGeometry(
                channels: 256, height: 2, width: 2, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1,
                padLeft: 1, dilationH: 1, dilationW: 1, outH: 2, outW: 2))
        }
        XCTAssertNotNil(problem(batch: 128).winogradForward)
        if ThreadPool.shared.threadCount > 1 { XCTAssertNil(problem(batch: 1).winogradForward) }
    }

    func testUnbatchedInput() throws {
        let x = randomTensor([3, 5, 5], seed: 30), w = randomTensor([2, 3, 3, 3], seed: 31)
        let y = try x.conv2d(weight: w, padding: .explicit(1, 1))
        let batched = try x.unsqueeze(0).conv2d(weight: w, padding: .explicit(1, 1))
        XCTAssertEqual(y.shape, [2, 5, 5])
        XCTAssertEqual(y.scalars, batched.scalars)
    }

    func testBadArgumentsNameTheShapes() {
        let x = randomTensor([1, 3, 4, 4], seed: 40)
        assertThrows(.invalidArgument, contains: "Kernel size can't be greater",
                     try x.conv2d(weight: randomTensor([2, 3, 5, 5], seed: 41)))
        assertThrows(.invalidArgument, contains: "expected input[1, 3, 4, 4] to have 4 channels",
                     try x.conv2d(weight: randomTensor([2, 2, 3, 3], seed: 42), groups: 2))
        assertThrows(.invalidArgument, contains: "divisible by groups",
                     try randomTensor([1, 4, 4, 4], seed: 43).conv2d(weight: randomTensor([3, 2, 3, 3], seed: 44), groups: 2))
        assertThrows(.invalidArgument, contains: "[3, 4]",
                     try randomTensor([3, 4], seed: 45).conv2d(weight: randomTensor([2, 3, 1, 1], seed: 46)))
        assertThrows(.invalidArgument, contains: "strided",
                     try x.conv2d(weight: randomTensor([2, 3, 3, 3], seed: 47), stride: Pair(2), padding: .same))
        assertThrows(.invalidArgument, contains: "bias", try x.conv2d(weight: randomTensor([2, 3, 3, 3], seed: 48),
                                                                      bias: randomTensor([3], seed: 49)))
        assertThrows(.invalidArgument, try Conv2d(4, 6, kernelSize: Pair(3), groups: 4))
    }

    func testLayerInitialisationBoundsAndKeys() throws {
        try DefaultGenerator.seed(0)
        let conv = try Conv2d(4, 6, kernelSize: Pair(3, 2), groups: 2)
        XCTAssertEqual(conv.weight.shape, [6, 2, 3, 2])
        XCTAssertEqual(conv.stateDict().map(\.name), ["weight", "bias"])
        // kaiming_uniform(a=√5) gives bound 1/√fan_in for the weight too; fan_in = 2·3·2.
        let bound = 1 / Float(12).squareRoot()
        XCTAssertTrue(conv.weight.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(conv.bias!.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(conv.extraDescription, "4, 6, kernel_size=(3, 2), stride=(1, 1), groups=2")
    }
}
