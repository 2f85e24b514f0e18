import Foundation

// Straightforward Double-precision reference implementations used by the forward
// checks at awkward sizes. Slow and obvious on purpose: index arithmetic only.

enum Naive {
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = step; step *= shape[i] }
        return s
    }

    static func unravel(_ index: Int, _ shape: [Int]) -> [Int] {
        var rest = index
        var out = [Int](repeating: 0, count: shape.count)
        for (i, s) in strides(shape).enumerated() { out[i] = rest / s; rest %= s }
        return out
    }

    static func ravel(_ coords: [Int], _ shape: [Int]) -> Int {
        zip(coords, strides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        return zip(pa, pb).map { max($0, $1) }
    }

    /// Index into `shape` (right-aligned) for a coordinate of the broadcast shape.
    static func broadcastIndex(_ coords: [Int], _ shape: [Int]) -> Int {
        let lead = coords.count - shape.count
        let own = shape.indices.map { shape[$0] == 1 ? 0 : coords[$0 + lead] }
        return ravel(own, shape)
    }

    static func elementwise(_ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int],
                            _ f: (Double, Double) -> Double) -> (shape: [Int], values: [Double]) {
        let shape = broadcastShape(aShape, bShape)
        let n = shape.reduce(1, *)
        let values = (0..<n).map { i -> Double in
            let c = unravel(i, shape)
            return f(Double(a[broadcastIndex(c, aShape)]), Double(b[broadcastIndex(c, bShape)]))
        }
        return (shape, values)
    }

    /// NumPy matmul semantics: 1-D operands promoted and the added dim removed;
    /// batch dimensions broadcast.
    static func matmul(_ a: [Float], _ aShape0: [Int], _ b: [Float], _ bShape0: [Int]) -> (shape: [Int], values: [Double]) {
        let aShape = aShape0.count == 1 ? [1] + aShape0 : aShape0
        let bShape = bShape0.count == 1 ? bShape0 + [1] : bShape0
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1], n = bShape[bShape.count - 1]
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let batch = broadcastShape(aBatch, bBatch)
        let batchCount = batch.reduce(1, *)
        var out = [Double](repeating: 0, count: batchCount * m * n)
        for bi in 0..<batchCount {
            let c = unravel(bi, batch)
            let ao = broadcastIndex(c, aBatch) * m * k
            let bo = broadcastIndex(c, bBatch) * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var acc = 0.0
                    for p in 0..<k { acc += Double(a[ao + i * k + p]) * Double(b[bo + p * n + j]) }
                    out[bi * m * n + i * n + j] = acc
                }
            }
        }
        var shape = batch + [m, n]
        if bShape0.count == 1 { shape.removeLast() }
        if aShape0.count == 1 { shape.remove(at: shape.count - (bShape0.count == 1 ? 1 : 2)) }
        return (shape, out)
    }

    /// Softmax (or log-softmax) along `dim`.
    static func softmax(_ x: [Float], _ shape: [Int], dim: Int, log: Bool) -> [Double] {
        let d = dim < 0 ? dim + shape.count : dim
        var out = [Double](repeating: 0, count: x.count)
        let st = strides(shape)
        for i in 0..<x.count {
            let c = unravel(i, shape)
            guard c[d] == 0 else { continue }
            let idx = (0..<shape[d]).map { i + $0 * st[d] }
            let peak = idx.map { Double(x[$0]) }.max()!
            let total = idx.reduce(0.0) { $0 + Foundation.exp(Double(x[$1]) - peak) }
            for j in idx {
                let v = Double(x[j]) - peak - Foundation.log(total)
                out[j] = log ? v : Foundation.exp(v)
            }
        }
        return out
    }

    enum ReduceOp { case sum, mean, max }

    static func reduce(_ x: [Float], _ shape: [Int], dims: [Int]?, keepDim: Bool, _ op: ReduceOp) -> (shape: [Int], values: [Double]) {
        let rank = shape.count
        let reduced = Set((dims ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 })
        let kept = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let outShape = keepDim ? kept : shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let outCount = kept.reduce(1, *)
        var acc = [Double](repeating: op == .max ? -Double.infinity : 0, count: outCount)
        for i in 0..<x.count {
            let c = unravel(i, shape)
            let o = ravel(c.indices.map { reduced.contains($0) ? 0 : c[$0] }, kept)
            acc[o] = op == .max ? max(acc[o], Double(x[i])) : acc[o] + Double(x[i])
        }
        if op == .mean {
            let n = Double(shape.indices.filter { reduced.contains($0) }.map { shape[$0] }.reduce(1, *))
            acc = acc.map { $0 / n }
        }
        return (outShape, acc)
    }

    static func permute(_ x: [Float], _ shape: [Int], _ order: [Int]) -> (shape: [Int], values: [Double]) {
        let outShape = order.map { shape[$0] }
        let values = (0..<x.count).map { i -> Double in
            let oc = unravel(i, outShape)
            var ic = [Int](repeating: 0, count: shape.count)
            for (k, d) in order.enumerated() { ic[d] = oc[k] }
            return Double(x[ravel(ic, shape)])
        }
        return (outShape, values)
    }

    /// Per-position cross-entropy of [N, C, d...] logits against a target
    /// distribution per position (nil = ignored position).
    static func crossEntropy(_ logits: [Float], _ shape: [Int], targets: [[Double]?]) -> [Double] {
        let logp = softmax(logits, shape, dim: 1, log: true)
        let c = shape[1], inner = shape.dropFirst(2).reduce(1, *)
        return targets.enumerated().map { j, dist in
            guard let dist else { return 0 }
            let o = j / inner, i = j % inner
            return -(0..<c).reduce(0.0) { $0 + dist[$1] * logp[(o * c + $1) * inner + i] }
        }
    }
}
