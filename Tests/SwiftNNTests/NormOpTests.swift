import Foundation
import XCTest
@testable import SwiftNN

/// batch_norm, layer_norm, local_response_norm: forward against naive Double
/// references and backward against finite differences.
final class NormOpTests: XCTestCase {
    /// Naive batch norm with batch statistics over dimension 1 of [N, C, S...].
    private func referenceBatchNorm(_ x: [Float], _ shape: [Int], weight: [Float]?, bias: [Float]?, eps: Double)
        -> (out: [Double], mean: [Double], biasedVar: [Double]) {
        let n = shape[0], c = shape[1], s = shape[2...].reduce(1, *)
        var out = [Double](repeating: 0, count: x.count)
        var means = [Double](), vars = [Double]()
        for ch in 0..<c {
            var values: [Double] = []
            for i in 0..<n { for j in 0..<s { values.append(Double(x[(i * c + ch) * s + j])) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            means.append(mean); vars.append(variance)
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    out[k] = (Double(x[k]) - mean) / (variance + eps).squareRoot() * Double(weight?[ch] ?? 1) + Double(bias?[ch] ?? 0)
                }
            }
        }
        return (out, means, vars)
    }

    func testBatchNormTrainForwardAndRunningStats() throws {
        for shape in [[2, 3], [4, 3, 5], [3, 2, 4, 5], [1, 7, 17], [5, 1, 1, 1]] {
            let x = randomTensor(shape, seed: 1, low: -2, high: 3, requiresGrad: false)
            let c = shape[1]
            let w = randomTensor([c], seed: 2, low: 0.5, high: 1.5, requiresGrad: false)
            let b = randomTensor([c], seed: 3, requiresGrad: false)
            let rm = try Tensor.zeros([c]), rv = try Tensor.ones([c])
            let y = try x.batchNorm(runningMean: rm, runningVar: rv, weight: w, bias: b, training: true, momentum: 0.1, eps: 1e-5)
            let ref = referenceBatchNorm(x.scalars, shape, weight: w.scalars, bias: b.scalars, eps: 1e-5)
            assertClose(y, shape: shape, ref.out, rtol: 1e-4, atol: 1e-4, "\(shape)")
            let m = Double(x.count / c)
            assertClose(rm.scalars, ref.mean.map { 0.1 * $0 }, rtol: 1e-4, atol: 1e-6)
            assertClose(rv.scalars, ref.biasedVar.map { 0.9 + 0.1 * $0 * m / (m - 1) }, rtol: 1e-4, atol: 1e-6)
            // Eval mode uses the running statistics.
            let e = try x.batchNorm(runningMean: rm, runningVar: rv, weight: w, bias: b, training: false, eps: 1e-5)
            let expected = x.scalars.enumerated().map { i, v -> Double in
                let ch = (i / shape[2...].reduce(1, *)) % c
                return (Double(v) - Double(rm.scalars[ch])) / (Double(rv.scalars[ch]) + 1e-5).squareRoot()
                    * Double(w.scalars[ch]) + Double(b.scalars[ch])
            }
            assertClose(e, shape: shape, expected, rtol: 1e-4, atol: 1e-5)
        }
    }

    func testBatchNormGradients() {
        for (i, shape) in [[3, 2], [4, 3, 5], [2, 3, 3, 4], [1, 7, 3], [17, 1]].enumerated() {
            let c = shape[1]
            let x = randomTensor(shape, seed: UInt64(10 + i), low: -2, high: 2)
            let w = randomTensor([c], seed: UInt64(20 + i), low: 0.5, high: 1.5)
            let b = randomTensor([c], seed: UInt64(30 + i))
            checkGradients([x, w, b], "bn train \(shape)", rtol: 1e-2, atol: 1e-3) {
                try $0[0].batchNorm(runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
            }
            let rm = randomTensor([c], seed: 40, requiresGrad: false)
            let rv = randomTensor([c], seed: 41, low: 0.5, high: 2, requiresGrad: false)
            checkGradients([x, w, b], "bn eval \(shape)") {
                try $0[0].batchNorm(runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
            }
            checkGradients([x], "bn no affine \(shape)", rtol: 1e-2, atol: 1e-3) {
                try $0[0].batchNorm(runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
            }
        }
    }

    func testBatchNormErrors() {
        let x = randomTensor([1, 4], seed: 1, requiresGrad: false)
        assertThrows(.invalidArgument, contains: "Expected more than 1 value per channel when training",
                     try x.batchNorm(runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true))
        assertThrows(.invalidArgument, contains: "[4]",
                     try randomTensor([2, 3], seed: 1).batchNorm(runningMean: try Tensor.zeros([4]), runningVar: try Tensor.ones([4]),
                                                                  weight: nil, bias: nil, training: true))
        assertThrows(.invalidArgument, try randomTensor([3], seed: 1).batchNorm(runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true))
    }

    func testLayerNormForwardAndGradients() throws {
        for (i, (shape, normalized)) in [([2, 5], [5]), ([3, 2, 4], [2, 4]), ([1, 7], [7]), ([17], [17]), ([2, 3, 1], [1])].enumerated() {
            let x = randomTensor(shape, seed: UInt64(50 + i), low: -2, high: 2)
            let w = randomTensor(normalized, seed: UInt64(60 + i), low: 0.5, high: 1.5)
            let b = randomTensor(normalized, seed: UInt64(70 + i))
            let width = normalized.reduce(1, *)
            let xs = x.scalars.map(Double.init)
            var expected = [Double](repeating: 0, count: xs.count)
            for r in 0..<(xs.count / width) {
                let row = xs[(r * width)..<((r + 1) * width)]
                let mean = row.reduce(0, +) / Double(width)
                let v = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
                for j in 0..<width {
                    expected[r * width + j] = (xs[r * width + j] - mean) / (v + 1e-5).squareRoot() * Double(w.scalars[j]) + Double(b.scalars[j])
                }
            }
            assertClose(try x.layerNorm(normalizedShape: normalized, weight: w, bias: b), shape: shape, expected, rtol: 1e-4, atol: 1e-4)
            if width > 1 {
                checkGradients([x, w, b], "layer_norm \(shape)", rtol: 1e-2, atol: 1e-3) {
                    try $0[0].layerNorm(normalizedShape: normalized, weight: $0[1], bias: $0[2])
                }
                checkGradients([x], "layer_norm no affine \(shape)", rtol: 1e-2, atol: 1e-3) {
                    try $0[0].layerNorm(normalizedShape: normalized, weight: nil, bias: nil)
                }
            }
        }
        assertThrows(.invalidArgument, contains: "[2, 3]",
                     try randomTensor([2, 3], seed: 1).layerNorm(normalizedShape: [4], weight: nil, bias: nil))
    }

    func testLocalResponseNorm() throws {
        for (i, (shape, size)) in [([2, 5, 3], 3), ([1, 7, 2, 3], 4), ([2, 3, 4], 1), ([1, 2, 5], 5)].enumerated() {
            let x = randomTensor(shape, seed: UInt64(80 + i), low: -2, high: 2)
            let (alpha, beta, k) = (0.5, 0.75, 1.5)
            let c = shape[1], s = shape[2...].reduce(1, *)
            let xs = x.scalars.map(Double.init)
            var expected = [Double](repeating: 0, count: xs.count)
            for n in 0..<shape[0] {
                for ch in 0..<c {
                    for j in 0..<s {
                        var acc = 0.0
                        for c2 in (ch - size / 2)...(ch + (size - 1) / 2) where c2 >= 0 && c2 < c {
                            acc += xs[(n * c + c2) * s + j] * xs[(n * c + c2) * s + j]
                        }
                        let idx = (n * c + ch) * s + j
                        expected[idx] = xs[idx] / Foundation.pow(k + alpha / Double(size) * acc, beta)
                    }
                }
            }
            assertClose(try x.localResponseNorm(size: size, alpha: 0.5, beta: 0.75, k: 1.5), shape: shape, expected, rtol: 1e-4, atol: 1e-5)
            checkGradients([x], "lrn \(shape) size \(size)", rtol: 1e-2, atol: 1e-3) {
                try $0[0].localResponseNorm(size: size, alpha: 0.5, beta: 0.75, k: 1.5)
            }
        }
        assertThrows(.invalidArgument, contains: "3D", try randomTensor([2, 3], seed: 1).localResponseNorm(size: 2))
    }
}
