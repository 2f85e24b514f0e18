import SwiftNNMicroKernels

/// Packing of GEMM operands into the micro-kernel's panel layouts (see GEMM.swift).
extension GEMM {
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
      // op(A)(i, p) = a[p*lda + i]. Walk each source row (one depth) once per
      // group of 16 panels, dealing 6-float chunks to them: one sequential read
      // stream per depth instead of kc streams at stride lda, and 16 write streams.
      // A whole MC block's 28 panels at once (28 write streams) was 5–7% slower on
      // 512×128×8192 (Mixer's weight gradient), groups of 4 were 4% slower (Zen 4).
      let fullPanels = mc / MR
      let panelStride = MR &* kc
      var first = 0
      while first < fullPanels {
        let last = min(first &+ 16, fullPanels)
        var p = 0
        while p < kc {
          var src = a + ((p0 &+ p) &* lda &+ i0 &+ first &* MR)
          var o = dst + (first &* panelStride &+ p &* MR)
          // The same span eight depths on, one prefetch per cache line: runs of 96 floats
          // lda apart are too short for the hardware prefetcher (512×128×8192: 84 → 89
          // GFLOP/s on one thread, 160 → 180 on two, Zen 4).
          var ahead = 0
          while ahead < (last &- first) &* MR {
            swiftnn_prefetch_read(src + (8 &* lda &+ ahead))
            ahead &+= 16
          }
          var q = first
          while q < last {
            // Six floats as one 16- and one 8-byte move (12 scalar moves were
            // ~40% of a weight gradient's time: each packed value meets only N columns).
            let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(o)
            out.storeBytes(of: raw.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            out.storeBytes(of: raw.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16,
                           as: SIMD2<Float>.self)
            src += MR; o += panelStride; q &+= 1
          }
          p &+= 1
        }
        first = last
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
              // The next two rows, a pair ahead: each row is a short run (kc floats), too
              // short for the hardware prefetcher to pick up before it ends.
              if p & 15 == 0 {
                swiftnn_prefetch_read(ra + (2 &* lda &+ p)); swiftnn_prefetch_read(rb + (2 &* lda &+ p))
              }
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
          for r in 0..<MR {
            fillPanelLane(out + r, width: MR, from: r < rowsValid ? a + ((i &+ r) &* lda &+ p0) : nil, depth: kc)
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
    guard transB else {
      // op(B)(p, j) = b[p*ldb + j]: per instruction set in C (gemm_body.h).
      return swiftnn_gemm_pack_b(b + (p0 &* ldb &+ j0), ldb, kc, nc, dst)
    }
    let NR = GEMMBlocking.nr
    var jr = 0
    var out = dst
    while jr < nc {
      let colsValid = min(NR, nc &- jr)
      let j = j0 &+ jr
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
        fillPanelLane(out + cIdx, width: NR, from: cIdx < colsValid ? b + ((j &+ cIdx) &* ldb &+ p0) : nil, depth: kc)
        cIdx &+= 1
      }
      out += NR &* kc
      jr &+= NR
    }
  }

  /// One lane of a packed panel (`width` floats per depth): src[0..<kc] at panel[0],
  /// panel[width], ..., or zeros where the panel runs past the matrix (src nil).
  @inline(__always)
  private static func fillPanelLane(_ panel: UnsafeMutablePointer<Float>, width: Int, from src: UnsafePointer<Float>?,
                                    depth kc: Int) {
    guard let src else {
      for p in 0..<kc { panel[p &* width] = 0 }
      return
    }
    for p in 0..<kc { panel[p &* width] = src[p] }
  }
}
