/// Matrix products on top of the GEMM kernel: `matmul` with NumPy's rank and
/// batch-broadcasting rules, and the fused `linear` (x·Wᵀ + b).
extension Tensor {
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank >= 1 && other.rank >= 1 else {
            throw SwiftNNError.invalidArgument(
                "matmul: both arguments need at least 1 dimension, got shapes \(describe(shape)) and \(describe(other.shape))")
        }
        // 1-D operands become a row (left) or a column (right), removed again afterwards.
        let a = rank == 1 ? try unsqueeze(0) : self
        let b = other.rank == 1 ? try other.unsqueeze(1) : other
        let (m, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (k2, n) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        guard k == k2 else {
            throw SwiftNNError.invalidArgument(
                "matmul: shapes \(describe(shape)) and \(describe(other.shape)) cannot be multiplied (\(m)x\(k) and \(k2)x\(n))")
        }
        let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
        let batch = try Shape.broadcast(aBatch, bBatch)
        let out = try Tensor(uninitializedShape: batch + [m, n])
        batchedGEMM(a, transA: false, aBatch: aBatch, b, transB: false, bBatch: bBatch, into: out, batch: batch, m: m, n: n, k: k)
        out.recording("MmBackward", inputs: [a, b]) { g, _ in
            // dA = G·Bᵀ and dB = Aᵀ·G per batch, then summed over broadcast batch dims.
            var ga: Tensor?, gb: Tensor?
            if a.requiresGrad {
                let full = try Tensor(uninitializedShape: batch + [m, k])
                batchedGEMM(g, transA: false, aBatch: batch, b, transB: true, bBatch: bBatch, into: full, batch: batch, m: m, n: k, k: n)
                ga = try full.sumToShape(a.shape)
            }
            if b.requiresGrad {
                let full = try Tensor(uninitializedShape: batch + [k, n])
                batchedGEMM(a, transA: true, aBatch: aBatch, g, transB: false, bBatch: batch, into: full, batch: batch, m: k, n: n, k: m)
                gb = try full.sumToShape(b.shape)
            }
            return [ga, gb]
        }
        var result = out
        if other.rank == 1 { result = try result.squeeze(-1) }
        if rank == 1 { result = try result.squeeze(result.rank == 1 ? 0 : -2) }
        return result
    }

    /// y = x·Wᵀ + b over the last dimension of `x` (`torch.nn.functional.linear`).
    public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
        let x = self
        guard weight.rank == 2 else {
            throw SwiftNNError.invalidArgument("linear: weight must be 2-D [out_features, in_features], got \(describe(weight.shape))")
        }
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        guard rank >= 1, shape[rank - 1] == inFeatures else {
            throw SwiftNNError.invalidArgument(
                "linear: input of shape \(describe(shape)) cannot be multiplied by weight of shape "
                + "\(describe(weight.shape)): expected the input's last dimension to be in_features = \(inFeatures)")
        }
        if let bias, bias.shape != [outFeatures] {
            throw SwiftNNError.invalidArgument("linear: bias must have shape [\(outFeatures)], got \(describe(bias.shape))")
        }
        let rows = shape.dropLast().reduce(1, *)
        let out = try Tensor(uninitializedShape: Array(shape.dropLast()) + [outFeatures])
        // The bias is added as the GEMM writes C: one pass over the output, not three.
        GEMM.sgemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
                   alpha: 1, a: data, lda: inFeatures, b: weight.data, ldb: inFeatures,
                   beta: 0, c: out.data, ldc: outFeatures, bias: bias.map { UnsafePointer($0.data) })
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return out.recording("LinearBackward", inputs: inputs, saving: [x, weight]) { g, _ in
            var grads: [Tensor?] = [nil, nil, nil]
            if x.requiresGrad {
                let gx = try Tensor(uninitializedShape: x.shape)
                GEMM.sgemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures,
                           alpha: 1, a: g.data, lda: outFeatures, b: weight.data, ldb: inFeatures,
                           beta: 0, c: gx.data, ldc: inFeatures)
                grads[0] = gx
            }
            if weight.requiresGrad {
                let gw = try Tensor(uninitializedShape: weight.shape)
                // K = rows: sgemm splits K over the threads when C is small.
                GEMM.sgemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows,
                           alpha: 1, a: g.data, lda: outFeatures, b: x.data, ldb: inFeatures,
                           beta: 0, c: gw.data, ldc: inFeatures)
                grads[1] = gw
            }
            if let bias, bias.requiresGrad {
                let gb = try Tensor(uninitializedShape: [outFeatures])
                ColumnSums.sum(g.data, rows: rows, n: outFeatures, into: gb.data)
                grads[2] = gb
            }
            return grads
        }
    }
}

/// out[i] = op(a[i])·op(b[i]) for every index i of `batch`, with a's and b's own
/// batch shapes broadcast against it. m×k·k×n per matrix, after the transposes.
private func batchedGEMM(_ a: Tensor, transA: Bool, aBatch: [Int], _ b: Tensor, transB: Bool, bBatch: [Int],
                         into out: Tensor, batch: [Int], m: Int, n: Int, k: Int) {
    let batchCount = batch.reduce(1, *)
    let lda = transA ? m : k, ldb = transB ? k : n
    let aBatchCount = aBatch.reduce(1, *), bBatchCount = bBatch.reduce(1, *)
    // A stack of plain matrices times one shared matrix is one tall GEMM.
    if !transA && bBatchCount == 1 && aBatchCount == batchCount {
        GEMM.sgemm(transA: false, transB: transB, m: batchCount * m, n: n, k: k, alpha: 1,
                   a: a.data, lda: lda, b: b.data, ldb: ldb, beta: 0, c: out.data, ldc: n)
        return
    }
    let aStrides = Shape.broadcastStrides(aBatch, to: batch)
    let bStrides = Shape.broadcastStrides(bBatch, to: batch)
    let dims = Shape.contiguousStrides(batch)
    for index in 0..<batchCount {
        var ai = 0, bi = 0, rest = index
        for d in 0..<batch.count {
            let coordinate = rest / dims[d]
            rest -= coordinate * dims[d]
            ai += coordinate * aStrides[d]
            bi += coordinate * bStrides[d]
        }
        GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                   a: a.data + ai * m * k, lda: lda, b: b.data + bi * k * n, ldb: ldb,
                   beta: 0, c: out.data + index * m * n, ldc: n)
    }
}
