import XCTest
@testable import SwiftNN
import SwiftNNKernels
import SwiftNNMicroKernels

/// The pieces of eval-mode conv → BN → (+ residual) → ReLU: the convolution epilogue on
/// every kernel path (Winograd, in place, im2col with folded images, pointwise, grouped)
/// against conv2d followed by the separate add and ReLU, filters packed once against
/// the per-call packing, and `PackedMatrix` against a Double product on every ISA path.
final class ConvEpilogueTests: XCTestCase {
    /// Filters prepared once, as FoldedConvolution keeps them.
    final class Prepared: PreparedFilters {
        let weight: Tensor, groups: Int
        init(_ weight: Tensor, groups: Int) { self.weight = weight; self.groups = groups }

        func packedFilters(groups: Int) -> [PackedMatrix]? {
            let rows = weight.shape[0] / groups, depth = weight.count / weight.shape[0]
            return (0..<groups).map { PackedMatrix(weight.data + $0 * rows * depth, rows: rows, depth: depth, lda: depth)! }
        }

        func winogradFilters(outChannels: Int, inChannels: Int, tileSize: Int) -> Winograd.PackedFilters? {
            Winograd.PackedFilters(weight.data, outChannels: outChannels, inChannels: inChannels, rotated: false,
                                   tileSize: tileSize)
        }
    }

    struct Case {
        var n: Int, c: Int, h: Int, w: Int, o: Int, k: Int, stride = 1, pad = 1, groups = 1
        var path: String
    }

    let cases = [
        Case(n: 2, c: 32, h: 9, w: 9, o: 33, k: 3, path: "winograd"),
        Case(n: 2, c: 7, h: 9, w: 17, o: 17, k: 3, path: "direct"),
        Case(n: 5, c: 6, h: 5, w: 5, o: 7, k: 3, stride: 2, path: "im2col"),
        Case(n: 1, c: 19, h: 7, w: 7, o: 13, k: 1, pad: 0, path: "im2col"),
        Case(n: 3, c: 8, h: 6, w: 6, o: 6, k: 3, groups: 2, path: "im2col"),
        Case(n: 1, c: 300, h: 4, w: 4, o: 63, k: 1, pad: 0, path: "im2col"),
        // One image per GEMM (169 outputs), grouped, partial row and column tiles: the epilogue in the GEMM tile.
        Case(n: 2, c: 8, h: 13, w: 13, o: 14, k: 1, pad: 0, groups: 2, path: "im2col"),
        // Several images per GEMM read and written in place (outputs a multiple of 16): pointwise
        // (B from the images), grouped, strided and 3×3 (B from im2col), depth past one slice.
        Case(n: 5, c: 20, h: 4, w: 4, o: 13, k: 1, pad: 0, path: "im2col"),
        Case(n: 3, c: 6, h: 8, w: 8, o: 10, k: 1, pad: 0, groups: 2, path: "im2col"),
        Case(n: 4, c: 5, h: 8, w: 8, o: 7, k: 3, stride: 2, path: "im2col"),
        Case(n: 4, c: 16, h: 8, w: 8, o: 20, k: 1, stride: 2, pad: 0, path: "im2col"),
        Case(n: 3, c: 300, h: 4, w: 4, o: 9, k: 1, pad: 0, path: "im2col"),
    ]

    func testEpilogueOnEveryConvolutionPath() throws {
        Winograd.requiresBlockPerThread = false
        defer { Winograd.requiresBlockPerThread = true }
        for (i, k) in cases.enumerated() {
            let seed = UInt64(900 + 10 * i)
            let x = randomTensor([k.n, k.c, k.h, k.w], seed: seed, requiresGrad: false)
            let weight = randomTensor([k.o, k.c / k.groups, k.k, k.k], seed: seed + 1, requiresGrad: false)
            let bias = randomTensor([k.o], seed: seed + 2, requiresGrad: false)
            let problem = try x.convProblem(weight: weight, bias: bias, stride: Pair(k.stride), padding: .explicit(k.pad, k.pad),
                                            dilation: Pair(1), groups: k.groups)
            let path = problem.winogradForward != nil ? "winograd" : problem.directForward != nil ? "direct" : "im2col"
            XCTAssertEqual(path, k.path, "case \(i)")
            let plain = try x.conv2d(weight: weight, bias: bias, stride: Pair(k.stride), padding: .explicit(k.pad, k.pad),
                                     groups: k.groups)
            let residual = randomTensor(plain.shape, seed: seed + 3, requiresGrad: false)
            let prepared = Prepared(weight, groups: k.groups)
            for (withResidual, relu) in [(false, true), (true, true), (true, false)] {
                var expected = plain.scalars.map(Double.init)
                for j in expected.indices {
                    if withResidual { expected[j] += Double(residual.data[j]) }
                    if relu { expected[j] = max(expected[j], 0) }
                }
                for usePrepared in [false, true] {
                    let out = try Tensor(uninitializedShape: plain.shape)
                    let epilogue = ConvEpilogue(residual: withResidual ? UnsafePointer(residual.data) : nil, relu: relu)
                    problem.forward(x: x.data, weight: weight.data, bias: bias.data, y: out.data, epilogue: epilogue,
                                    prepared: usePrepared ? prepared : nil)
                    assertClose(out.scalars, expected, rtol: 1e-4, atol: 1e-4,
                                "case \(i) (\(path)) residual \(withResidual) relu \(relu) prepared \(usePrepared)")
                }
            }
        }
    }

    /// Row counts past one MC block (168) and depths past one KC slice (256), partial
    /// panels, beta 0 over NaN and beta 1, leading dimensions wider than the matrices.
    func testPackedMatrixEveryPathAgainstNaive() {
        forEachSupportedISA { isa in
            for (m, n, k) in [(1, 1, 1), (7, 17, 3), (17, 63, 300), (63, 5, 17), (200, 33, 600), (6, 160, 64)] {
                var rng = SplitMix(seed: UInt64(m * 1000 + n * 10 + k))
                let lda = k + 2, ldb = n + 5, ldc = n + 3
                let a = (0..<(m * lda)).map { _ in rng.uniform() }, b = (0..<(k * ldb)).map { _ in rng.uniform() }
                let packed = PackedMatrix(a, rows: m, depth: k, lda: lda)!
                // The GEMM tile's epilogue: row bias with the first depth slice, residual and ReLU with the last.
                let rowBias = (0..<m).map { _ in rng.uniform() }, ldr = n + 1
                let residual = (0..<(m * ldr)).map { _ in rng.uniform() }
                var fused = [Float](repeating: .nan, count: m * ldc)
                rowBias.withUnsafeBufferPointer { bias in
                    residual.withUnsafeBufferPointer { res in
                        packed.multiply(b, ldb: ldb, columns: n, beta: 0, into: &fused, ldc: ldc,
                                        epilogue: swiftnn_gemm_epilogue(row_bias: bias.baseAddress, residual: res.baseAddress,
                                                                        ldr: ldr, relu: 1))
                    }
                }
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(rowBias[i]) + Double(residual[i * ldr + j])
                        for p in 0..<k { sum += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
                        XCTAssertEqual(Double(fused[i * ldc + j]), max(sum, 0), accuracy: 1e-5 * Double(k) + 1e-5,
                                       "\(isa) \(m)×\(n)×\(k) epilogue at (\(i), \(j))")
                    }
                    XCTAssertTrue(fused[i * ldc + n].isNaN, "\(isa): epilogue wrote past column \(n)")
                }
                for beta in [Float(0), 1] {
                    var c = [Float](repeating: beta == 0 ? .nan : 0.5, count: m * ldc)
                    packed.multiply(b, ldb: ldb, columns: n, beta: beta, into: &c, ldc: ldc)
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = beta == 0 ? 0.0 : 0.5
                            for p in 0..<k { sum += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
                            XCTAssertEqual(Double(c[i * ldc + j]), sum, accuracy: 1e-5 * Double(k) + 1e-6,
                                           "\(isa) \(m)×\(n)×\(k) beta \(beta) at (\(i), \(j))")
                        }
                        for j in n..<ldc {
                            XCTAssertTrue(beta == 0 ? c[i * ldc + j].isNaN : c[i * ldc + j] == 0.5,
                                          "\(isa): wrote past column \(n)")
                        }
                    }
                }
            }
        }
    }

    /// `ColumnGroups`: B's columns read from several matrices (or one), C and the residual
    /// written to several, against a Double product on every ISA path. Rows past one MC block
    /// and the shared-B threading (600 rows), depths past one KC slice, partial row tiles.
    func testColumnGroupsAgainstNaive() {
        forEachSupportedISA { isa in
            for (m, width, groups, k, groupedB) in [(13, 16, 5, 20, true), (10, 64, 3, 300, true), (7, 16, 4, 45, false),
                                                      (600, 16, 4, 300, true), (170, 32, 3, 600, false)] {
                var rng = SplitMix(seed: UInt64(m * 1000 + groups * 10 + k))
                let n = width * groups
                // B: each group a [k × width] matrix, groups bStride apart; or one [k × n] matrix.
                let bStride = k * width + 7, ldb = groupedB ? width : n
                let b = (0..<(groupedB ? groups * bStride : k * n)).map { _ in rng.uniform() - 0.5 }
                func bValue(_ p: Int, _ j: Int) -> Float {
                    groupedB ? b[(j / width) * bStride + p * width + j % width] : b[p * n + j]
                }
                // C and the residual: each group an [m × width] matrix, cStride apart.
                let cStride = m * width + 5
                let a = (0..<(m * k)).map { _ in rng.uniform() - 0.5 }
                let rowBias = (0..<m).map { _ in rng.uniform() }
                let residual = (0..<(groups * cStride)).map { _ in rng.uniform() - 0.5 }
                let packed = PackedMatrix(a, rows: m, depth: k, lda: k)!
                var c = [Float](repeating: .nan, count: groups * cStride)
                rowBias.withUnsafeBufferPointer { bias in
                    residual.withUnsafeBufferPointer { res in
                        packed.multiply(b, ldb: ldb, columns: n, beta: 0, into: &c, ldc: width,
                                        epilogue: swiftnn_gemm_epilogue(row_bias: bias.baseAddress, residual: res.baseAddress,
                                                                        ldr: width, relu: 1),
                                        columnGroups: ColumnGroups(width: width, bStride: groupedB ? bStride : nil,
                                                                   cStride: cStride))
                    }
                }
                for group in 0..<groups {
                    for i in 0..<m {
                        for j in 0..<width {
                            let at = group * cStride + i * width + j
                            var sum = Double(rowBias[i]) + Double(residual[at])
                            for p in 0..<k { sum += Double(a[i * k + p]) * Double(bValue(p, group * width + j)) }
                            XCTAssertEqual(Double(c[at]), max(sum, 0), accuracy: 1e-5 * Double(k) + 1e-5,
                                           "\(isa) \(m)×\(width)·\(groups)×\(k) grouped B \(groupedB) at group \(group) (\(i), \(j))")
                        }
                    }
                    for gap in (group * cStride + m * width)..<min(c.count, (group + 1) * cStride) {
                        XCTAssertTrue(c[gap].isNaN, "\(isa): wrote between groups")
                    }
                }
            }
        }
    }
}
