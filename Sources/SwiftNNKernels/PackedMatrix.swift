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
    private let panelRows: Int
    private let base: UnsafeMutablePointer<Float>
    private let bytes: Int

    /// Packs a (row-major, leading dimension lda ≥ depth); nil when the memory is not there
    /// (callers then multiply by the unpacked matrix).
    package init?(_ a: UnsafePointer<Float>, rows: Int, depth: Int, lda: Int) {
        self.rows = rows
        self.depth = depth
        panelRows = GEMM.roundUp(rows, GEMMBlocking.mr)
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

    /// C[M × N] = A·B + beta·C for a row-major B [K × N]; beta == 0 overwrites C. Threads
    /// take bands of rows or of columns (whichever has more tiles), as `GEMM.sgemm` does,
    /// and each packs the B panels of its band.
    package func multiply(_ b: UnsafePointer<Float>, ldb: Int, columns n: Int, beta: Float,
                          into c: UnsafeMutablePointer<Float>, ldc: Int) {
        let MR = GEMMBlocking.mr, NR = GEMMBlocking.nr
        guard rows > 0, n > 0 else { return }
        guard depth > 0 else {
            for i in 0..<rows { for j in 0..<n { c[i &* ldc &+ j] = beta == 0 ? 0 : beta * c[i &* ldc &+ j] } }
            return
        }
        let rowTiles = (rows &+ MR &- 1) / MR, colTiles = (n &+ NR &- 1) / NR
        let splitRows = rowTiles >= colTiles
        let tiles = splitRows ? rowTiles : colTiles
        // Below ~2 MFLOP per thread the wake-up costs more than it saves (as GEMM.sgemm).
        let grain = max(1, (1 << 20) / max(1, rows &* n &* depth / tiles))
        ThreadPool.shared.parallelFor(tiles, grain: grain) { band in
            if splitRows {
                multiplyBlock(rows: (band.lowerBound &* MR)..<min(rows, band.upperBound &* MR), columns: 0..<n,
                              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            } else {
                multiplyBlock(rows: 0..<rows, columns: (band.lowerBound &* NR)..<min(n, band.upperBound &* NR),
                              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            }
        }
    }

    /// C[rows, columns] with private B panels; rows start at a multiple of MR.
    private func multiplyBlock(rows: Range<Int>, columns: Range<Int>, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                               c: UnsafeMutablePointer<Float>, ldc: Int) {
        let KC = GEMMBlocking.kc, MC = GEMMBlocking.mc, NC = GEMMBlocking.nc
        let ncMax = min(NC, GEMM.roundUp(columns.count, GEMMBlocking.nr))
        let packB = Scratch(count: GEMM.roundUp(ncMax &* min(KC, depth), 16))
        defer { packB.free() }
        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let nc = min(NC, columns.upperBound &- jc)
            var pc = 0
            while pc < depth {
                let kc = min(KC, depth &- pc)
                GEMM.packBBlock(transB: false, b: b, ldb: ldb, p0: pc, j0: jc, kc: kc, nc: nc, dst: packB.base)
                let slice = UnsafePointer(base + panelRows &* pc)
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mc = min(MC, rows.upperBound &- ic)
                    swiftnn_gemm_packed(slice + ic &* kc, packB.base, mc, nc, kc, c + (ic &* ldc &+ jc), ldc, 1,
                                        pc == 0 ? beta : 1)
                    ic &+= mc
                }
                pc &+= kc
            }
            jc &+= nc
        }
    }
}
