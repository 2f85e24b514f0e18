import XCTest
@testable import SwiftNN

/// The eight-lane layer-norm kernels against a double-precision reference, at widths
/// with and without a vector remainder and row counts that reach the thread pool.
final class LayerNormKernelTests: XCTestCase {
    func testKernelsMatchNaiveReference() throws {
        for (rows, width) in [(1, 1), (3, 7), (5, 8), (2, 17), (1000, 128), (301, 130)] {
            for affine in [true, false] {
                let seed = UInt64(rows * 1000 + width)
                // An offset far from zero: the variance must not cancel.
                let x = randomTensor([rows, width], seed: seed, low: 99, high: 101, requiresGrad: false)
                let g = randomTensor([rows, width], seed: seed + 1, requiresGrad: false)
                let w = affine ? randomTensor([width], seed: seed + 2, low: 0.5, high: 1.5) : nil
                let b = affine ? randomTensor([width], seed: seed + 3) : nil
                let xs = x.scalars.map(Double.init), gs = g.scalars.map(Double.init)
                let ws = w?.scalars.map(Double.init) ?? [Double](repeating: 1, count: width)
                let bs = b?.scalars.map(Double.init) ?? [Double](repeating: 0, count: width)
                var y = [Double](), dx = [Double](), dw = [Double](repeating: 0, count: width), db = dw
                for r in 0..<rows {
                    let row = Array(xs[(r * width)..<((r + 1) * width)]), gr = Array(gs[(r * width)..<((r + 1) * width)])
                    let mean = row.reduce(0, +) / Double(width)
                    let istd = 1 / (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width) + 1e-5).squareRoot()
                    let xhat = row.map { ($0 - mean) * istd }
                    let h = (0..<width).map { gr[$0] * ws[$0] }
                    let mh = h.reduce(0, +) / Double(width)
                    let mhx = (0..<width).map { h[$0] * xhat[$0] }.reduce(0, +) / Double(width)
                    for j in 0..<width {
                        y.append(xhat[j] * ws[j] + bs[j])
                        dx.append(istd * (h[j] - mh - xhat[j] * mhx))
                        dw[j] += gr[j] * xhat[j]
                        db[j] += gr[j]
                    }
                }
                let label = "rows=\(rows) width=\(width) affine=\(affine)"
                let input = try x.clonedData().setRequiresGrad()
                let out = try input.layerNorm(normalizedShape: [width], weight: w, bias: b)
                assertClose(out, shape: [rows, width], y, rtol: 1e-4, atol: 1e-4, label)
                try out.backward(g)
                // dx scales with invstd (~1.7 here) and sums of width terms.
                assertClose(input.grad, shape: [rows, width], dx, rtol: 1e-3, atol: 1e-3, "dx \(label)")
                if let w, let b {
                    assertClose(w.grad, shape: [width], dw, rtol: 1e-3, atol: 1e-3 * Double(rows).squareRoot(), "dw \(label)")
                    assertClose(b.grad, shape: [width], db, rtol: 1e-4, atol: 1e-4 * Double(rows).squareRoot(), "db \(label)")
                }
            }
        }
    }

    func testGradientsOnTheVectorPath() {
        for (i, shape) in [[4, 16], [3, 9], [2, 3, 8]].enumerated() {
            let width = shape.last!
            let inputs = [randomTensor(shape, seed: UInt64(80 + i), low: -2, high: 2),
                          randomTensor([width], seed: UInt64(90 + i), low: 0.5, high: 1.5),
                          randomTensor([width], seed: UInt64(95 + i))]
            checkGradients(inputs, "layer_norm \(shape)", rtol: 1e-2, atol: 1e-3) {
                try $0[0].layerNorm(normalizedShape: [width], weight: $0[1], bias: $0[2])
            }
        }
    }
}
