import SwiftNNMicroKernels

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
    /// `epilogue` (row bias, residual, ReLU) is applied as C is written; it needs depth > 0.
    /// With `columnGroups`, B's and C's columns lie in several matrices (see `ColumnGroups`).
    package func multiply(_ b: UnsafePointer<Float>, ldb: Int, columns n: Int, beta: Float,
                          into c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: swiftnn_gemm_epilogue? = nil,
                          columnGroups: ColumnGroups? = nil) {
        guard rows > 0, n > 0 else { return }
        precondition(depth > 0 || (epilogue == nil && columnGroups == nil),
                     "PackedMatrix.multiply: an epilogue or column groups need a product")
        guard depth > 0 else { return GEMM.scaleC(m: rows, n: n, beta: beta, c: c, ldc: ldc) }
        let panels = UnsafePointer(base)
        GEMM.blocked(GEMMProblem(transA: false, transB: false, m: rows, n: n, k: depth, alpha: 1, a: panels, lda: depth,
                                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: nil, aInPlace: false,
                                 aPanels: panels, epilogue: epilogue, columnGroups: columnGroups))
    }
}

/// A right-hand matrix op(B) [K × N] packed once into the GEMM's NR-column panels, for
/// products C = A·op(B) that reuse it many times: the weight of an eval-mode Linear layer
/// (x·Wᵀ, op(B) = Wᵀ). Packing W on every call was about a sixth of MLPnet's 128×128×3072
/// `fc1`: each thread packed all 1.5 MB of it for 64 rows of x.
///
/// Layout, as `GEMM.packBBlock` writes it per depth slice: slice pc (KC deep, the last one
/// shorter) starts at roundUp(N, NR)·pc, and within it columns j..<j+NR form the panel at j·kc.
package final class PackedRightMatrix {
    package let depth: Int, columns: Int
    private let base: UnsafeMutablePointer<Float>
    private let bytes: Int

    /// Packs op(B): B is [K × N] (ldb ≥ N), or [N × K] (ldb ≥ K) when `transposed`; nil when
    /// the memory is not there (callers then multiply by the unpacked matrix).
    package init?(_ b: UnsafePointer<Float>, transposed: Bool, depth: Int, columns: Int, ldb: Int) {
        self.depth = depth
        self.columns = columns
        let panelColumns = GEMM.roundUp(columns, GEMMBlocking.nr)
        let count = max(panelColumns &* depth, 1)
        bytes = count &* MemoryLayout<Float>.stride
        guard let raw = BufferCache.allocate(bytes: bytes) else { return nil }
        base = raw.bindMemory(to: Float.self, capacity: count)
        var pc = 0
        while pc < depth {
            let kc = min(GEMMBlocking.kc, depth &- pc)
            GEMM.packBBlock(transB: transposed, b: b, ldb: ldb, p0: pc, j0: 0, kc: kc, nc: columns,
                            dst: base + panelColumns &* pc)
            pc &+= kc
        }
    }

    deinit { BufferCache.release(base, bytes: bytes) }

    /// Whether a product with `rows` rows of A should use the packed copy: a batch of a few
    /// rows runs the row-dot kernel on the unpacked matrix, and tiny products the direct loop.
    package static func suits(rows: Int, depth: Int, columns: Int) -> Bool {
        rows > 4 && rows &* columns &* depth > GEMMBlocking.smallWork
    }

    /// C[M × N] = A·op(B) + beta·C (+ bias[j] on column j) for a row-major A [M × K]; beta == 0
    /// overwrites C. The blocked GEMM with B's packing skipped; `threads` as `GEMM.blocked`'s.
    /// With `relu`, each value is clamped at zero (NaN kept) as the tile writes it.
    package func multiply(_ a: UnsafePointer<Float>, lda: Int, rows m: Int, beta: Float, bias: UnsafePointer<Float>?,
                          into c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil, relu: Bool = false) {
        guard m > 0, columns > 0 else { return }
        guard depth > 0 else {
            GEMM.scaleC(m: m, n: columns, beta: beta, c: c, ldc: ldc)
            if let bias { GEMM.addBias(bias, m: m, n: columns, c: c, ldc: ldc) }
            if relu { GEMM.clampAtZero(m: m, n: columns, c: c, ldc: ldc) }
            return
        }
        let panels = UnsafePointer(base)
        GEMM.blocked(GEMMProblem(transA: false, transB: false, m: m, n: columns, k: depth, alpha: 1, a: a, lda: lda,
                                 b: panels, ldb: columns, beta: beta, c: c, ldc: ldc, bias: bias,
                                 aInPlace: GEMM.readsAInPlace(transA: false, m: m, n: columns, k: depth, lda: lda),
                                 bPanels: panels,
                                 epilogue: relu ? swiftnn_gemm_epilogue(row_bias: nil, residual: nil, ldr: 0, relu: 1) : nil),
                     threads: threads)
    }
}
