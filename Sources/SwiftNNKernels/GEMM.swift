#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNMicroKernels

// Single-precision GEMM: packed, cache-blocked; the register tiles (6×16 for
// AVX2 and baseline, 12×16 for AVX-512) run in SwiftNNMicroKernels.
//
// Loop nest (Goto/BLIS style), outermost first:
//   jc: NC columns of C   — packed B block (KC×NC) lives in L3
//   pc: KC depth slice    — one rank-KC update of C
//   ic: MC rows of C      — packed A block (MC×KC) lives in L2
//   jr: NR columns        — one B micro-panel (KC×NR) stays hot in L1
//   ir: MR rows           — micro-kernel streams A micro-panels from L2
//
// `computeBlock` computes an arbitrary rectangle of C with private packing
// buffers; `sharedB` shares one packed B between threads that split the rows.
// For narrow products the micro-kernel reads A in place instead of packing it.

/// Blocking parameters, tuned for AVX2 (16 ymm registers), 32 KiB L1d and
/// ≥512 KiB L2 per core.
@usableFromInline
package enum GEMMBlocking {
  /// Rows of a packed A panel: the AVX2 tile's 6 (6 × 2 ymm = 12 accumulators of
  /// 16 registers); the AVX-512 tile takes two panels at once (12 zmm accumulators).
  @inline(__always) package static var mr: Int { 6 }
  /// Columns of a packed B panel: two ymm or one zmm.
  @inline(__always) package static var nr: Int { 16 }
  /// Depth of a packed slice: a KC×NR B micro-panel is 16 KiB (half of L1),
  /// leaving room for the 6 KiB A micro-panel and C lines.
  @inline(__always) package static var kc: Int { 256 }
  /// Rows of A packed per block: MC×KC×4 = 168 KiB, comfortably inside a
  /// 512 KiB L2 so the A block survives while B panels stream. Multiple of MR.
  @inline(__always) package static var mc: Int { 168 }
  /// Columns of B packed per block: KC×NC×4 = 4 MiB, sized for the shared L3.
  /// Multiple of NR.
  @inline(__always) package static var nc: Int { 4096 }
  /// At or below this many multiply-adds, allocation and packing cost more
  /// than the direct loop saves (measured: 4³ and 2×2×100 faster direct,
  /// 7³ and up faster blocked).
  @inline(__always) package static var smallWork: Int { 256 }
}

/// Columns of B and C that lie in several matrices: a product over a few images at once
/// (a convolution with small outputs), which reads each image's input and writes each
/// image's output where they are instead of copying them into and out of one matrix.
/// Column j is column j % width of group j / width; groups are `bStride` floats apart in B
/// (nil: B is one ordinary matrix) and `cStride` floats apart in C and the epilogue's residual.
package struct ColumnGroups {
  /// Columns per group: a multiple of NR, so no packed panel spans two groups.
  package var width: Int
  package var bStride: Int?
  package var cStride: Int

  package init(width: Int, bStride: Int?, cStride: Int) {
    precondition(width > 0 && width % GEMMBlocking.nr == 0, "ColumnGroups: width \(width) is not a multiple of NR")
    (self.width, self.bStride, self.cStride) = (width, bStride, cStride)
  }

  /// Calls body(column, offset) for each group's part of columns j0..<j0+count, where
  /// `offset` is the floats from C's (or B's, with `stride`) start to that part's column.
  @inline(__always)
  func forEachPart(_ j0: Int, _ count: Int, stride: Int, _ body: (Range<Int>, Int) -> Void) {
    var j = j0
    let end = j0 &+ count
    while j < end {
      let group = j / width, next = min(end, (group &+ 1) &* width)
      body(j..<next, group &* stride &+ j % width)
      j = next
    }
  }
}

/// One product C = alpha·op(A)·op(B) + beta·C + bias as the blocked paths see it.
/// `aInPlace`: the micro-kernel reads A where it lies instead of from packed panels.
/// `aPanels`: A is already packed (`PackedMatrix`'s layout), so nothing packs it.
/// `bPanels`: op(B) is already packed (`PackedRightMatrix`'s layout), likewise.
package struct GEMMProblem {
  package var transA: Bool, transB: Bool
  package var m: Int, n: Int, k: Int
  package var alpha: Float
  package var a: UnsafePointer<Float>, lda: Int
  package var b: UnsafePointer<Float>, ldb: Int
  package var beta: Float
  package var c: UnsafeMutablePointer<Float>, ldc: Int
  /// n values added to every row of C (nil: none).
  package var bias: UnsafePointer<Float>?
  package var aInPlace: Bool
  /// Depth slice pc of packed A starts at roundUp(m, MR)·pc; rows i..<i+MR of it at i·kc.
  package var aPanels: UnsafePointer<Float>?
  /// Depth slice pc of packed op(B) starts at roundUp(n, NR)·pc; columns j..<j+NR of it at j·kc.
  package var bPanels: UnsafePointer<Float>?
  /// Applied as C is written (row bias, residual, ReLU), with pointers to C's row 0, column 0.
  package var epilogue: swiftnn_gemm_epilogue?
  /// B's and C's columns spread over several matrices (not with transB, bias or bPanels).
  package var columnGroups: ColumnGroups?

  package init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
               b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
               bias: UnsafePointer<Float>?, aInPlace: Bool, aPanels: UnsafePointer<Float>? = nil,
               bPanels: UnsafePointer<Float>? = nil, epilogue: swiftnn_gemm_epilogue? = nil,
               columnGroups: ColumnGroups? = nil) {
    precondition(columnGroups == nil || (!transB && bias == nil && bPanels == nil),
                 "GEMMProblem: column groups with a transposed, pre-packed B or a column bias")
    (self.transA, self.transB, self.m, self.n, self.k, self.alpha) = (transA, transB, m, n, k, alpha)
    (self.a, self.lda, self.b, self.ldb, self.beta, self.c, self.ldc) = (a, lda, b, ldb, beta, c, ldc)
    (self.bias, self.aInPlace, self.aPanels, self.bPanels, self.epilogue) = (bias, aInPlace, aPanels, bPanels, epilogue)
    self.columnGroups = columnGroups
  }

  /// The epilogue's part for depth slice pc..<pc+kc of the block at `row` whose first column
  /// lies `offset` floats into C's row: the row bias with the first slice (as beta and the
  /// bias), the residual and ReLU with the last.
  @inline(__always)
  func epilogue(pc: Int, kc: Int, row: Int, offset: Int) -> swiftnn_gemm_epilogue? {
    guard let e = epilogue else { return nil }
    let first = pc == 0, last = pc &+ kc == k
    guard first || last else { return nil }
    return swiftnn_gemm_epilogue(row_bias: first ? e.row_bias.map { $0 + row } : nil,
                                 residual: last ? e.residual.map { $0 + (row &* e.ldr &+ offset) } : nil,
                                 ldr: e.ldr, relu: last ? e.relu : 0)
  }

  /// Whether A needs packing buffers.
  var packsA: Bool { !aInPlace && aPanels == nil }

  /// The packed B block of columns jc... at depth slice pc (kc deep): the pre-packed panels
  /// when there are some, else `buffer` after packing it.
  @inline(__always)
  func packedB(pc: Int, kc: Int, jc: Int, nc: Int, buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
    if let bPanels { return bPanels + (GEMM.roundUp(n, GEMMBlocking.nr) &* pc &+ jc &* kc) }
    packB(pc: pc, kc: kc, j0: jc, nc: nc, into: buffer)
    return UnsafePointer(buffer)
  }

  /// Packs op(B)[pc..<pc+kc, j0..<j0+nc] into `dst` (j0 a multiple of NR), from each
  /// column group's matrix when B's columns are grouped.
  @inline(__always)
  func packB(pc: Int, kc: Int, j0: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
    guard let groups = columnGroups, let stride = groups.bStride else {
      return GEMM.packBBlock(transB: transB, b: b, ldb: ldb, p0: pc, j0: j0, kc: kc, nc: nc, dst: dst)
    }
    groups.forEachPart(j0, nc, stride: stride) { columns, offset in
      GEMM.packBBlock(transB: false, b: b + offset, ldb: ldb, p0: pc, j0: 0, kc: kc, nc: columns.count,
                      dst: dst + (columns.lowerBound &- j0) &* kc)
    }
  }
}

public enum GEMM {
  /// C[M×N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X or Xᵀ.
  /// A is M×K (lda ≥ K) when !transA, else K×M (lda ≥ M); B is K×N (ldb ≥ N) when !transB, else N×K (ldb ≥ K).
  /// beta == 0 means C is overwritten (never read, so NaN garbage in C is ignored).
  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                           alpha: Float, a: UnsafePointer<Float>, lda: Int,
                           b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
          beta: beta, c: c, ldc: ldc, bias: nil)
  }

  /// As `sgemm` above, plus `bias[j]` added to every entry of column j (a Linear layer's
  /// x·Wᵀ + b in one pass over C; nil adds nothing).
  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                           alpha: Float, a: UnsafePointer<Float>, lda: Int,
                           b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
    if m == 0 || n == 0 { return }
    precondition(ldc >= n, "sgemm: ldc too small")
    // Without a product (k == 0 or alpha == 0) A and B are never read; `unsplit` scales C.
    if k > 0 && alpha != 0 {
      precondition(lda >= (transA ? m : k), "sgemm: lda too small")
      precondition(ldb >= (transB ? k : n), "sgemm: ldb too small")
      // Deep products with a small C (weight gradients: K = the batch's rows) split K.
      if bias == nil && SplitKGEMM.isWorthwhile(m: m, n: n, k: k) {
        SplitKGEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
      }
    }
    unsplit(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc, bias: bias)
  }

  /// `sgemm` on validated arguments, without splitting K (each slice of a split runs here).
  package static func unsplit(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                              alpha: Float, a: UnsafePointer<Float>, lda: Int,
                              b: UnsafePointer<Float>, ldb: Int,
                              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?) {
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
      scaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
      if let bias { addBias(bias, m: m, n: n, c: c, ldc: ldc) }
      return
    }
    // Tiny problems, or a handful of dot products (where a 6×16 tile would
    // be mostly zero padding), go straight to the direct loop.
    if m &* n &* k <= GEMMBlocking.smallWork || m &* n <= 4 {
      smallGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      if let bias { addBias(bias, m: m, n: n, c: c, ldc: ldc) }
      return
    }
    if RowDotGEMM.applies(transA: transA, transB: transB, m: m, k: k) {
      RowDotGEMM.sgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       bias: bias)
      return
    }
    let problem = GEMMProblem(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: bias,
                              aInPlace: readsAInPlace(transA: transA, m: m, n: n, k: k, lda: lda))
    blocked(problem)
  }

  /// Whether the micro-kernel should read A where it lies rather than pack it. Packing
  /// pays when each packed value is reused across many columns; for the narrow products
  /// of Linear layers (N ≤ 512) it took up to a quarter of the time (8192×128×512:
  /// ~100 GFLOP/s in place against 62–83 packed, one Zen 4 core). Transposed A packs
  /// by plain copies and gained nothing in place. Rows 4 KiB apart (lda a multiple of
  /// 1024) share one L1 set, and the twelve rows of a tile would evict each other
  /// (128×128×3072: 73 in place against 97 packed).
  package static func readsAInPlace(transA: Bool, m: Int, n: Int, k: Int, lda: Int) -> Bool {
    if let forced = forcedALayout { return forced }
    return !transA && n <= 512 && lda % 1024 != 0
  }

  /// SWIFTNN_GEMM_A=pack|inplace overrides that choice (benchmarks comparing the two).
  private static let forcedALayout: Bool? = {
    guard let text = getenv("SWIFTNN_GEMM_A") else { return nil }
    switch String(cString: text) {
    case "pack": return false
    case "inplace": return true
    default: return nil
    }
  }()

  /// The packed, cache-blocked product, threaded over bands of rows or columns.
  package static func blocked(_ p: GEMMProblem, threads requested: Int? = nil) {
    // Threads take disjoint bands of C along whichever side has more tiles;
    // each packs its own panels. Bands are whole tiles so no tile is split.
    let rowTiles = (p.m &+ GEMMBlocking.mr &- 1) / GEMMBlocking.mr
    let colTiles = (p.n &+ GEMMBlocking.nr &- 1) / GEMMBlocking.nr
    let splitRows = rowTiles >= colTiles
    let tiles = splitRows ? rowTiles : colTiles
    // Below ~0.5 MFLOP per thread the hand-off costs more than it saves (with workers
    // spinning between regions: 128×64×128 ran 91 GFLOP/s on one thread, 157 on two).
    let grain = max(1, (1 << 18) / max(1, (p.m &* p.n &* p.k) / tiles))
    let threads = requested ?? min(ThreadPool.shared.threadCount, tiles / grain)
    // Sharing the packed B costs two hand-offs per depth slice: worth it only when each
    // carries enough work. Deep, small products (Linear layers: 128×128×3072) ran at
    // half the one-thread speed that way; one hand-off with private packing is faster.
    // Pre-packed B is shared already.
    let sliceWorkPerThread = p.m &* p.n &* min(p.k, GEMMBlocking.kc) / max(threads, 1)
    if requested != nil || (p.bPanels == nil && splitRows && threads > 1 && !ThreadPool.shared.isInsideRegion
                            && rowTiles >= 4 &* threads && sliceWorkPerThread >= 1 << 22) {
      sharedB(p, threads: max(1, threads))
      return
    }
    ThreadPool.shared.parallelFor(tiles, grain: grain) { band in
      if splitRows {
        computeBlock(p, rows: (band.lowerBound &* GEMMBlocking.mr)..<min(p.m, band.upperBound &* GEMMBlocking.mr),
                     cols: 0..<p.n)
      } else {
        computeBlock(p, rows: 0..<p.m,
                     cols: (band.lowerBound &* GEMMBlocking.nr)..<min(p.n, band.upperBound &* GEMMBlocking.nr))
      }
    }
  }

  /// Computes C[rows, cols] (all of K) using its own packing buffers.
  /// Disjoint rectangles may run concurrently: the unit of work of one thread.
  package static func computeBlock(_ p: GEMMProblem, rows: Range<Int>, cols: Range<Int>) {
    let MR = GEMMBlocking.mr, NR = GEMMBlocking.nr
    let m = rows.count, n = cols.count
    if m == 0 || n == 0 { return }
    // Size buffers to the problem so small calls do not allocate full blocks.
    let kcMax = min(GEMMBlocking.kc, p.k)
    let mcMax = min(GEMMBlocking.mc, roundUp(m, MR))
    let ncMax = min(GEMMBlocking.nc, roundUp(n, NR))
    // Counts rounded to 16 floats so packed B (and every B micro-panel, which
    // starts at a multiple of NR·kc floats) stays 64-byte aligned.
    let aCount = p.packsA ? roundUp(mcMax &* kcMax, 16) : 0
    let bCount = p.bPanels == nil ? roundUp(ncMax &* kcMax, 16) : 0
    // One 64-byte-aligned allocation: [packed A | packed B].
    let scratch = Scratch(count: aCount &+ bCount)
    defer { scratch.free() }
    let packA = scratch.base
    let packB = scratch.base + aCount

    var jc = cols.lowerBound
    while jc < cols.upperBound {
      let nc = min(GEMMBlocking.nc, cols.upperBound &- jc)
      var pc = 0
      while pc < p.k {
        let kc = min(GEMMBlocking.kc, p.k &- pc)
        multiplyRows(p, rows, pc: pc, kc: kc, packB: p.packedB(pc: pc, kc: kc, jc: jc, nc: nc, buffer: packB), jc: jc,
                     nc: nc, packA: packA)
        pc &+= kc
      }
      jc &+= nc
    }
  }

  /// C[rows, jc..<jc+nc] against one packed B block (depth slice pc..<pc+kc): the rows
  /// in MC blocks, each packed into `packA` (or read in place) and run through the
  /// macro-kernel, which is compiled per instruction set and chosen at run time.
  @inline(__always)
  package static func multiplyRows(_ p: GEMMProblem, _ rows: Range<Int>, pc: Int, kc: Int,
                                   packB: UnsafePointer<Float>, jc: Int, nc: Int,
                                   packA: UnsafeMutablePointer<Float>) {
    // Only the first depth slice applies the caller's beta and the bias; later slices accumulate.
    let beta: Float = pc == 0 ? p.beta : 1
    let bias = pc == 0 ? p.bias.map { $0 + jc } : nil
    // Element (r, q) of op(A) sits at a[r·rowStride + q·depthStride].
    let rowStride = p.transA ? 1 : p.lda, depthStride = p.transA ? p.lda : 1
    var ic = rows.lowerBound
    while ic < rows.upperBound {
      let mc = min(GEMMBlocking.mc, rows.upperBound &- ic)
      // A's block as (origin, row stride, depth stride, panel stride); see gemm_body.h.
      let a: (UnsafePointer<Float>, Int, Int, Int)
      if let panels = p.aPanels {
        // Bands and MC blocks start at multiples of MR, so ic names a whole panel.
        a = (panels + (roundUp(p.m, GEMMBlocking.mr) &* pc &+ ic &* kc), 1, 6, 6 &* kc)
      } else if p.aInPlace {
        a = (p.a + (ic &* rowStride &+ pc &* depthStride), rowStride, depthStride, 6 &* rowStride)
      } else {
        packABlock(transA: p.transA, a: p.a, lda: p.lda, i0: ic, p0: pc, mc: mc, kc: kc, dst: packA)
        a = (UnsafePointer(packA), 1, 6, 6 &* kc)
      }
      // The macro-kernel on columns `columns` of this block, which start `offset` floats into C's row.
      func run(_ columns: Range<Int>, _ offset: Int) {
        let c = p.c + (ic &* p.ldc &+ offset), panels = packB + (columns.lowerBound &- jc) &* kc
        if let epilogue = p.epilogue(pc: pc, kc: kc, row: ic, offset: offset) {
          withUnsafePointer(to: epilogue) {
            swiftnn_gemm_strided(a.0, a.1, a.2, a.3, panels, mc, columns.count, kc, c, p.ldc, p.alpha, beta, bias, $0)
          }
        } else {
          swiftnn_gemm_strided(a.0, a.1, a.2, a.3, panels, mc, columns.count, kc, c, p.ldc, p.alpha, beta, bias, nil)
        }
      }
      if let groups = p.columnGroups {
        groups.forEachPart(jc, nc, stride: groups.cStride, run)  // once per image the columns touch
      } else {
        run(jc..<(jc &+ nc), jc)
      }
      ic &+= mc
    }
  }

  /// The multi-threaded path for problems with many rows: each packed B block is
  /// packed once, by all threads together, and shared; every thread then runs its
  /// own band of rows against it with private A packing. Packing B per thread (as
  /// `computeBlock` does) would double that traffic through the shared cache.
  package static func sharedB(_ p: GEMMProblem, threads: Int) {
    let MR = GEMMBlocking.mr, NR = GEMMBlocking.nr
    let kcMax = min(GEMMBlocking.kc, p.k), ncMax = min(GEMMBlocking.nc, roundUp(p.n, NR))
    let rowTiles = (p.m &+ MR &- 1) / MR
    // One allocation for the whole call: [packed B | per-thread packed A].
    let bCount = p.bPanels == nil ? roundUp(ncMax &* kcMax, 16) : 0
    let perThread = p.packsA
      ? roundUp(min(GEMMBlocking.mc, roundUp((rowTiles &+ threads &- 1) / threads &* MR, MR)) &* kcMax, 16) : 0
    let scratch = Scratch(count: bCount &+ threads &* perThread)
    defer { scratch.free() }
    let packed = scratch.base
    var jc = 0
    while jc < p.n {
      let nc = min(GEMMBlocking.nc, p.n &- jc)
      let panels = (nc &+ NR &- 1) / NR
      var pc = 0
      while pc < p.k {
        let kc = min(GEMMBlocking.kc, p.k &- pc)
        let packB: UnsafePointer<Float>
        if p.bPanels != nil {
          packB = p.packedB(pc: pc, kc: kc, jc: jc, nc: nc, buffer: packed)
        } else {
          ThreadPool.shared.parallelFor(panels) { range in
            let j0 = range.lowerBound &* NR, width = min(nc, range.upperBound &* NR) &- j0
            p.packB(pc: pc, kc: kc, j0: jc &+ j0, nc: width, into: packed + j0 &* kc)
          }
          packB = UnsafePointer(packed)
        }
        ThreadPool.shared.parallelFor(threads) { range in
          for part in range {
            let rows = (rowTiles &* part / threads &* MR)..<min(p.m, rowTiles &* (part &+ 1) / threads &* MR)
            guard !rows.isEmpty else { continue }
            multiplyRows(p, rows, pc: pc, kc: kc, packB: packB, jc: jc, nc: nc,
                         packA: packed + (bCount &+ part &* perThread))
          }
        }
        pc &+= kc
      }
      jc &+= nc
    }
  }

  /// C[i][j] = max(C[i][j], 0), NaN kept: a ReLU epilogue where there is no product.
  package static func clampAtZero(m: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
      let row = c + i &* ldc
      for j in 0..<n where row[j] < 0 { row[j] = 0 }
    }
  }

  /// C[i][j] += bias[j] for the paths whose kernels take no bias.
  package static func addBias(_ bias: UnsafePointer<Float>, m: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
      let row = c + i &* ldc
      for j in 0..<n { row[j] += bias[j] }
    }
  }

  @inline(__always)
  package static func loadU(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  package static func loadU4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
  }

  @inline(__always)
  package static func roundUp(_ x: Int, _ m: Int) -> Int { (x &+ m &- 1) / m &* m }

  // MARK: - Simple paths

  /// C ← beta·C (k == 0 or alpha == 0). beta == 0 writes zeros without reading C.
  package static func scaleC(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    var i = 0
    while i < m {
      let row = c + i &* ldc
      if beta == 0 {
        row.update(repeating: 0, count: n)
      } else {
        var j = 0
        while j < n { row[j] *= beta; j &+= 1 }
      }
      i &+= 1
    }
  }

  /// Direct triple loop for tiny problems where packing costs more than it saves.
  package static func smallGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        alpha: Float, a: UnsafePointer<Float>, lda: Int,
                        b: UnsafePointer<Float>, ldb: Int,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    // Strides of op(A) and op(B) along their two logical axes.
    let aRow = transA ? 1 : lda, aDepth = transA ? lda : 1
    let bDepth = transB ? 1 : ldb, bCol = transB ? ldb : 1
    var i = 0
    while i < m {
      let cRow = c + i &* ldc
      let aBase = a + i &* aRow
      var j = 0
      while j < n {
        let bBase = b + j &* bCol
        var sum: Float = 0
        var p = 0
        while p < k {
          sum += aBase[p &* aDepth] * bBase[p &* bDepth]
          p &+= 1
        }
        cRow[j] = beta == 0 ? alpha * sum : alpha * sum + beta * cRow[j]
        j &+= 1
      }
      i &+= 1
    }
  }
}
