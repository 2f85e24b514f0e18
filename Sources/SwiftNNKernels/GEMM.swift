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
// buffers, so a future thread pool can hand each worker a row or column range.

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

public enum GEMM {
  /// C[M×N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X or Xᵀ.
  /// A is M×K (lda ≥ K) when !transA, else K×M (lda ≥ M); B is K×N (ldb ≥ N) when !transB, else N×K (ldb ≥ K).
  /// beta == 0 means C is overwritten (never read, so NaN garbage in C is ignored).
  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                           alpha: Float, a: UnsafePointer<Float>, lda: Int,
                           b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
    if m == 0 || n == 0 { return }
    precondition(ldc >= n, "sgemm: ldc too small")
    if k == 0 || alpha == 0 {
      scaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
      return
    }
    precondition(lda >= (transA ? m : k), "sgemm: lda too small")
    precondition(ldb >= (transB ? k : n), "sgemm: ldb too small")
    // Tiny problems, or a handful of dot products (where a 6×16 tile would
    // be mostly zero padding), go straight to the direct loop.
    if m &* n &* k <= GEMMBlocking.smallWork || m &* n <= 4 {
      smallGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    if RowDotGEMM.applies(transA: transA, transB: transB, m: m, k: k) {
      RowDotGEMM.sgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    // Threads take disjoint bands of C along whichever side has more tiles;
    // each packs its own panels. Bands are whole tiles so no tile is split.
    let rowTiles = (m &+ GEMMBlocking.mr &- 1) / GEMMBlocking.mr
    let colTiles = (n &+ GEMMBlocking.nr &- 1) / GEMMBlocking.nr
    let splitRows = rowTiles >= colTiles
    let tiles = splitRows ? rowTiles : colTiles
    // Below ~2 MFLOP per thread the wake-up costs more than it saves.
    let grain = max(1, (1 << 20) / max(1, (m &* n &* k) / tiles))
    let threads = min(ThreadPool.shared.threadCount, tiles / grain)
    // Sharing the packed B costs two hand-offs per depth slice: worth it only when each
    // carries enough work. Deep, small products (Linear layers: 128×128×3072) ran at
    // half the one-thread speed that way; one hand-off with private packing is faster.
    let sliceWorkPerThread = m &* n &* min(k, GEMMBlocking.kc) / max(threads, 1)
    if splitRows && threads > 1 && !ThreadPool.shared.isInsideRegion && rowTiles >= 4 &* threads
        && sliceWorkPerThread >= 1 << 22 {
      sharedBGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }
    ThreadPool.shared.parallelFor(tiles, grain: grain) { band in
      if splitRows {
        let rows = (band.lowerBound &* GEMMBlocking.mr)..<min(m, band.upperBound &* GEMMBlocking.mr)
        computeBlock(transA: transA, transB: transB, rows: rows, cols: 0..<n, k: k,
                     alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      } else {
        let cols = (band.lowerBound &* GEMMBlocking.nr)..<min(n, band.upperBound &* GEMMBlocking.nr)
        computeBlock(transA: transA, transB: transB, rows: 0..<m, cols: cols, k: k,
                     alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      }
    }
  }

  /// Computes C[rows, cols] (all of K) using its own packing buffers.
  /// Disjoint rectangles may run concurrently; this is the unit of work for
  /// future multi-threading (split rows for tall problems, columns for wide).
  @usableFromInline
  package static func computeBlock(transA: Bool, transB: Bool, rows: Range<Int>, cols: Range<Int>, k: Int,
                           alpha: Float, a: UnsafePointer<Float>, lda: Int,
                           b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let MR = GEMMBlocking.mr, NR = GEMMBlocking.nr
    let m = rows.count, n = cols.count
    if m == 0 || n == 0 { return }
    // Size buffers to the problem so small calls do not allocate full blocks.
    let kcMax = min(GEMMBlocking.kc, k)
    let mcMax = min(GEMMBlocking.mc, roundUp(m, MR))
    let ncMax = min(GEMMBlocking.nc, roundUp(n, NR))
    // Counts rounded to 16 floats so packed B (and every B micro-panel, which
    // starts at a multiple of NR·kc floats) stays 64-byte aligned.
    let aCount = roundUp(mcMax &* kcMax, 16)
    let bCount = roundUp(ncMax &* kcMax, 16)
    // One 64-byte-aligned allocation: [packed A | packed B].
    let scratch = Scratch(count: aCount &+ bCount)
    defer { scratch.free() }
    let base = scratch.base
    let packA = base
    let packB = base + aCount

    var jc = cols.lowerBound
    while jc < cols.upperBound {
      let nc = min(GEMMBlocking.nc, cols.upperBound &- jc)
      var pc = 0
      while pc < k {
        let kc = min(GEMMBlocking.kc, k &- pc)
        packBBlock(transB: transB, b: b, ldb: ldb, p0: pc, j0: jc, kc: kc, nc: nc, dst: packB)
        // Only the first depth slice applies the caller's beta; later slices accumulate.
        let betaEff: Float = pc == 0 ? beta : 1
        multiplyRows(rows, transA: transA, a: a, lda: lda, pc: pc, kc: kc, packB: packB, jc: jc, nc: nc,
                     alpha: alpha, beta: betaEff, c: c, ldc: ldc, packA: packA)
        pc &+= kc
      }
      jc &+= nc
    }
  }

  /// C[rows, jc..<jc+nc] against one packed B block (depth slice pc..<pc+kc): the rows
  /// in MC blocks, each packed into `packA` and run through the macro-kernel.
  @inline(__always)
  package static func multiplyRows(_ rows: Range<Int>, transA: Bool, a: UnsafePointer<Float>, lda: Int, pc: Int, kc: Int,
                           packB: UnsafePointer<Float>, jc: Int, nc: Int, alpha: Float, beta: Float,
                           c: UnsafeMutablePointer<Float>, ldc: Int,
                           packA: UnsafeMutablePointer<Float>) {
    var ic = rows.lowerBound
    while ic < rows.upperBound {
      let mc = min(GEMMBlocking.mc, rows.upperBound &- ic)
      packABlock(transA: transA, a: a, lda: lda, i0: ic, p0: pc, mc: mc, kc: kc, dst: packA)
      macroKernel(packA: packA, packB: packB, mc: mc, nc: nc, kc: kc, c: c + (ic &* ldc &+ jc), ldc: ldc,
                  alpha: alpha, beta: beta)
      ic &+= mc
    }
  }

  /// C[mc × nc] = alpha·(packed A)·(packed B) + beta·C. The register tiles run in C,
  /// compiled per instruction set and chosen at run time (`KernelISA`).
  @inline(__always)
  package static func macroKernel(packA: UnsafePointer<Float>, packB: UnsafePointer<Float>, mc: Int, nc: Int, kc: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    swiftnn_gemm_packed(packA, packB, mc, nc, kc, c, ldc, alpha, beta)
  }

  /// The multi-threaded path for problems with many rows: each packed B block is
  /// packed once, by all threads together, and shared; every thread then runs its
  /// own band of rows against it with private A packing. Packing B per thread (as
  /// `computeBlock` does) would double that traffic through the shared cache.
  package static func sharedBGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                          alpha: Float, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    let MR = GEMMBlocking.mr, NR = GEMMBlocking.nr
    let kcMax = min(GEMMBlocking.kc, k), ncMax = min(GEMMBlocking.nc, roundUp(n, NR))
    let rowTiles = (m &+ MR &- 1) / MR
    // One allocation for the whole call: [packed B | per-thread packed A].
    let bCount = roundUp(ncMax &* kcMax, 16)
    let perThread = roundUp(min(GEMMBlocking.mc, roundUp((rowTiles &+ threads &- 1) / threads &* MR, MR)) &* kcMax, 16)
    let scratch = Scratch(count: bCount &+ threads &* perThread)
    defer { scratch.free() }
    let packed = scratch.base
    var jc = 0
    while jc < n {
      let nc = min(GEMMBlocking.nc, n &- jc)
      let panels = (nc &+ NR &- 1) / NR
      var pc = 0
      while pc < k {
        let kc = min(GEMMBlocking.kc, k &- pc)
        let betaEff: Float = pc == 0 ? beta : 1
        ThreadPool.shared.parallelFor(panels) { range in
          let j0 = range.lowerBound &* NR, width = min(nc, range.upperBound &* NR) &- j0
          packBBlock(transB: transB, b: b, ldb: ldb, p0: pc, j0: jc &+ j0, kc: kc, nc: width, dst: packed + j0 &* kc)
        }
        ThreadPool.shared.parallelFor(threads) { range in
          for part in range {
            let rows = (rowTiles &* part / threads &* MR)..<min(m, rowTiles &* (part &+ 1) / threads &* MR)
            guard !rows.isEmpty else { continue }
            let packA = packed + (bCount &+ part &* perThread)
            multiplyRows(rows, transA: transA, a: a, lda: lda, pc: pc, kc: kc, packB: packed, jc: jc, nc: nc,
                         alpha: alpha, beta: betaEff, c: c, ldc: ldc, packA: packA)
          }
        }
        pc &+= kc
      }
      jc &+= nc
    }
  }

  // MARK: - Packing

  /// Packs op(A)[i0..<i0+mc, p0..<p0+kc] into MR-row panels: panel q holds,
  /// for each depth p, the MR values op(A)[i0+q·MR+r, p0+p] contiguously.
  /// Rows beyond mc are zero so the micro-kernel never branches.
  @inline(__always)
  package static func packABlock(transA: Bool, a: UnsafePointer<Float>, lda: Int,
                         i0: Int, p0: Int, mc: Int, kc: Int, dst: UnsafeMutablePointer<Float>) {
    let MR = GEMMBlocking.mr
    var ir = 0
    var out = dst
    if transA {
      // op(A)(i, p) = a[p*lda + i]. Walk each source row (one depth) once,
      // dealing 6-float chunks to the full panels: one sequential read stream
      // per depth instead of kc streams at stride lda.
      let fullPanels = mc / MR
      let panelStride = MR &* kc
      if fullPanels > 0 {
        var p = 0
        while p < kc {
          var src = a + ((p0 &+ p) &* lda &+ i0)
          var o = dst + p &* MR
          var q = 0
          while q < fullPanels {
            o[0] = src[0]; o[1] = src[1]; o[2] = src[2]
            o[3] = src[3]; o[4] = src[4]; o[5] = src[5]
            src += MR; o += panelStride; q &+= 1
          }
          p &+= 1
        }
      }
      ir = fullPanels &* MR
      out = dst + ir &* kc
    }
    while ir < mc {
      let rowsValid = min(MR, mc &- ir)
      let i = i0 &+ ir
      if !transA {
        // op(A)(i, p) = a[i*lda + p]: each panel row is a contiguous run in memory.
        if rowsValid == MR {
          // Two rows at a time, walking memory forward: few concurrent streams
          // keep the hardware prefetcher effective when A comes from DRAM
          // (a 6-stream interleave measured ~25% slower for tall, narrow-N
          // problems), and each depth writes one 8-byte pair.
          var pair = 0
          while pair < MR {
            let ra = a + ((i &+ pair) &* lda &+ p0), rb = ra + lda
            let ob = UnsafeMutableRawPointer(out + pair)
            var p = 0
            while p &+ 4 <= kc {
              let x = loadU4(ra + p), y = loadU4(rb + p)
              let off = p &* 24  // 6 floats per depth
              ob.storeBytes(of: SIMD2(x[0], y[0]), toByteOffset: off, as: SIMD2<Float>.self)
              ob.storeBytes(of: SIMD2(x[1], y[1]), toByteOffset: off &+ 24, as: SIMD2<Float>.self)
              ob.storeBytes(of: SIMD2(x[2], y[2]), toByteOffset: off &+ 48, as: SIMD2<Float>.self)
              ob.storeBytes(of: SIMD2(x[3], y[3]), toByteOffset: off &+ 72, as: SIMD2<Float>.self)
              p &+= 4
            }
            while p < kc {
              ob.storeBytes(of: SIMD2(ra[p], rb[p]), toByteOffset: p &* 24, as: SIMD2<Float>.self)
              p &+= 1
            }
            pair &+= 2
          }
        } else {
          var r = 0
          while r < MR {
            var o = out + r
            if r < rowsValid {
              let src = a + ((i &+ r) &* lda &+ p0)
              var p = 0
              while p < kc { o.pointee = src[p]; o += MR; p &+= 1 }
            } else {
              var p = 0
              while p < kc { o.pointee = 0; o += MR; p &+= 1 }
            }
            r &+= 1
          }
        }
      } else {
        // Trailing partial panel: copy the valid rows, zero the rest.
        var src = a + (p0 &* lda &+ i)
        var o = out
        var p = 0
        while p < kc {
          var r = 0
          while r < rowsValid { o[r] = src[r]; r &+= 1 }
          while r < MR { o[r] = 0; r &+= 1 }
          o += MR; src += lda; p &+= 1
        }
      }
      out += MR &* kc
      ir &+= MR
    }
  }

  /// Packs op(B)[p0..<p0+kc, j0..<j0+nc] into NR-column panels: panel q holds,
  /// for each depth p, the NR values op(B)[p0+p, j0+q·NR+c] contiguously.
  /// Columns beyond nc are zero.
  @inline(__always)
  package static func packBBlock(transB: Bool, b: UnsafePointer<Float>, ldb: Int,
                         p0: Int, j0: Int, kc: Int, nc: Int, dst: UnsafeMutablePointer<Float>) {
    let NR = GEMMBlocking.nr
    var jr = 0
    var out = dst
    if !transB {
      // op(B)(p, j) = b[p*ldb + j]. Walk each source row once, left to right,
      // dealing 16-float chunks to the panels: one sequential read stream,
      // instead of kc streams at stride ldb (which defeats the prefetcher and
      // 4K-aliases when ldb is a large power of two).
      let fullPanels = nc / NR
      let panelBytes = NR &* kc &* MemoryLayout<Float>.stride
      if fullPanels > 0 {
        var p = 0
        while p < kc {
          var src = b + ((p0 &+ p) &* ldb &+ j0)
          var o = UnsafeMutableRawPointer(dst + p &* NR)
          var q = 0
          while q < fullPanels {
            o.storeBytes(of: loadU(src), as: SIMD8<Float>.self)
            o.storeBytes(of: loadU(src + 8), toByteOffset: 32, as: SIMD8<Float>.self)
            src += NR; o += panelBytes; q &+= 1
          }
          p &+= 1
        }
      }
      jr = fullPanels &* NR
      out = dst + jr &* kc
    }
    while jr < nc {
      let colsValid = min(NR, nc &- jr)
      let j = j0 &+ jr
      if !transB {
        // Trailing partial panel: copy the valid columns, zero the rest.
        var src = b + (p0 &* ldb &+ j)
        let of = out
        var p = 0
        while p < kc {
          let row = of + p &* NR
          var col = 0
          while col < colsValid { row[col] = src[col]; col &+= 1 }
          while col < NR { row[col] = 0; col &+= 1 }
          src += ldb; p &+= 1
        }
      } else {
        // op(B)(p, j) = b[j*ldb + p]: each panel column is a contiguous run.
        var cIdx = 0
        if colsValid == NR {
          // Full panel: 4×4 transposes (4 source rows × 4 depths) so both the
          // loads and the stores are vectors; scalar loop below for the tail.
          while cIdx < NR {
            let s0 = b + ((j &+ cIdx) &* ldb &+ p0)
            let s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
            var o = UnsafeMutableRawPointer(out + cIdx)
            var p = 0
            while p &+ 4 <= kc {
              let x0 = loadU4(s0 + p), x1 = loadU4(s1 + p)
              let x2 = loadU4(s2 + p), x3 = loadU4(s3 + p)
              o.storeBytes(of: SIMD4(x0[0], x1[0], x2[0], x3[0]), as: SIMD4<Float>.self)
              o.storeBytes(of: SIMD4(x0[1], x1[1], x2[1], x3[1]), toByteOffset: 64, as: SIMD4<Float>.self)
              o.storeBytes(of: SIMD4(x0[2], x1[2], x2[2], x3[2]), toByteOffset: 128, as: SIMD4<Float>.self)
              o.storeBytes(of: SIMD4(x0[3], x1[3], x2[3], x3[3]), toByteOffset: 192, as: SIMD4<Float>.self)
              o += 256
              p &+= 4
            }
            let of = o.assumingMemoryBound(to: Float.self)
            var q = 0
            while p < kc {
              of[q] = s0[p]; of[q &+ 1] = s1[p]; of[q &+ 2] = s2[p]; of[q &+ 3] = s3[p]
              q &+= NR
              p &+= 1
            }
            cIdx &+= 4
          }
        }
        while cIdx < NR {
          var o = out + cIdx
          if cIdx < colsValid {
            let src = b + ((j &+ cIdx) &* ldb &+ p0)
            var p = 0
            while p < kc { o.pointee = src[p]; o += NR; p &+= 1 }
          } else {
            var p = 0
            while p < kc { o.pointee = 0; o += NR; p &+= 1 }
          }
          cIdx &+= 1
        }
      }
      out += NR &* kc
      jr &+= NR
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
