/// A left-hand matrix A [M × K] packed once into the GEMM's MR-row panels, for products
/// C = A·B that reuse it many times: the filters of an eval-mode convolution. `GEMM.sgemm`
/// packs A on every call, which at batch 1 costs as much as the multiply itself on deep
/// layers (ResNet-50's 512 → 2048 at 4×4: 1 M weights packed for 16 M multiply-adds).
///
/// Layout, as `DirectConv.packFilters`: depth slice pc (KC deep, the last one shorter)
/// starts at roundUp(M, MR)·pc, and within it rows i..<i+MR form the panel at i·kc.
package final class PackedMatrix {
    package let rows: Int, depth: Int
    private let base: UnsafeMutablePointer<Float>
    private let bytes: Int

    /// Packs a (row-major, leading dimension lda ≥ depth); nil when the memory is not there
    /// (callers then multiply by the unpacked matrix).
    package init?(_ a: UnsafePointer<Float>, rows: Int, depth: Int, lda: Int) {
        self.rows = rows
        self.depth = depth
        let panelRows = GEMM.roundUp(rows, GEMMBlocking.mr)
        bytes = max(panelRows &* depth, 1) &* MemoryLayout<Float>.stride
        guard let raw = BufferCache.allocate(bytes: bytes) else { return nil }
        base = raw.bindMemory(to: Float.self, capacity: max(panelRows &* depth, 1))
        var pc = 0
        while pc < depth {
            let kc = min(GEMMBlocking.kc, depth &- pc)
            GEMM.packABlock(transA: false, a: a, lda: lda, i0: 0, p0: pc, mc: rows, kc: kc, dst: base + panelRows &* pc)
            pc &+= kc
        }
    }

    deinit { BufferCache.release(base, bytes: bytes) }

    /// C[M × N] = A·B + beta·C for a row-major B [K × N]; beta == 0 overwrites C. The
    /// blocked GEMM with A's packing skipped: same threading, B packed per call.
    package func multiply(_ b: UnsafePointer<Float>, ldb: Int, columns n: Int, beta: Float,
                          into c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard rows > 0, n > 0 else { return }
        guard depth > 0 else { return GEMM.scaleC(m: rows, n: n, beta: beta, c: c, ldc: ldc) }
        let panels = UnsafePointer(base)
        GEMM.blocked(GEMMProblem(transA: false, transB: false, m: rows, n: n, k: depth, alpha: 1, a: panels, lda: depth,
                                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: nil, aInPlace: false,
                                 aPanels: panels))
    }
}
