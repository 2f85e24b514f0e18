import Foundation
import XCTest
@testable import SwiftNN

final class GEMMTests: XCTestCase {
  /// Deterministic pseudo-random values in [-1, 1) (LCG) so failures reproduce.
  private struct LCG {
    var state: UInt64
    mutating func next() -> Float {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    }
  }

  /// Runs sgemm on one configuration and compares with a Double-accumulated
  /// reference. Leading dimensions get `pad` extra elements; padding cells of C
  /// must be left untouched.
  private func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, beta: Float, pad: Int = 0, nanC: Bool = false, sharedThreads: Int? = nil,
                     aInPlace: Bool? = nil, withBias: Bool = false, ldaMultiple: Int = 1,
                     file: StaticString = #filePath, line: UInt = #line) {
    var rng = LCG(state: UInt64(m &* 131 &+ n &* 17 &+ k &* 7 &+ pad) | 1)
    let aRows = transA ? k : m, aCols = transA ? m : k
    let bRows = transB ? n : k, bCols = transB ? k : n
    let lda = GEMM.roundUp(max(1, aCols + pad), ldaMultiple), ldb = max(1, bCols + pad), ldc = max(1, n + pad)
    let a = (0..<max(1, aRows * lda)).map { _ in rng.next() }
    let bias = (0..<n).map { _ in rng.next() }
    let b = (0..<max(1, bRows * ldb)).map { _ in rng.next() }
    let sentinel: Float = 12345
    var c = [Float](repeating: sentinel, count: max(1, m * ldc))
    for i in 0..<m { for j in 0..<n { c[i * ldc + j] = nanC ? .nan : rng.next() } }
    let c0 = c

    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          bias.withUnsafeBufferPointer { pbias in
            let biasPointer = withBias ? pbias.baseAddress : nil
            if sharedThreads != nil || aInPlace != nil {
              // The blocked path directly (packed or in-place A; shared B when threads are given).
              let problem = GEMMProblem(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                        a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: beta,
                                        c: pc.baseAddress!, ldc: ldc, bias: biasPointer, aInPlace: aInPlace ?? false)
              GEMM.blocked(problem, threads: sharedThreads)
            } else {
              GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                         beta: beta, c: pc.baseAddress!, ldc: ldc, bias: biasPointer)
            }
          }
        }
      }
    }

    let tag = "tA=\(transA) tB=\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(pad) "
      + "threads=\(String(describing: sharedThreads)) inPlace=\(String(describing: aInPlace)) bias=\(withBias)"
    var failures = 0
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0, mag = 0.0
        for p in 0..<k {
          let av = Double(transA ? a[p * lda + i] : a[i * lda + p])
          let bv = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
          sum += av * bv
          mag += abs(av * bv)
        }
        var expected = Double(alpha) * sum + (withBias ? Double(bias[j]) : 0)
        var scale = abs(Double(alpha)) * mag + (withBias ? abs(Double(bias[j])) : 0)
        if beta != 0 {
          expected += Double(beta) * Double(c0[i * ldc + j])
          scale += abs(Double(beta) * Double(c0[i * ldc + j]))
        }
        let got = Double(c[i * ldc + j])
        // Relative to the magnitude of the summed terms, so cancellation
        // doesn't make the check meaningless.
        if !(abs(got - expected) <= 1e-4 * max(scale, 1e-6)) {
          failures += 1
          if failures <= 3 {
            XCTFail("\(tag): C[\(i),\(j)] = \(got), expected \(expected)", file: file, line: line)
          }
        }
      }
      for j in n..<ldc {
        if c[i * ldc + j] != sentinel {
          XCTFail("\(tag): padding C[\(i),\(j)] overwritten", file: file, line: line)
          return
        }
      }
    }
    if failures > 3 { XCTFail("\(tag): \(failures) mismatches in total", file: file, line: line) }
  }

  private let transposes = [(false, false), (true, false), (false, true), (true, true)]

  func testAwkwardSizesAllTransposes() {
    let sizes = [1, 7, 17, 63, 65, 129]
    // Cover every size on every axis without the full 6³ product per combo.
    let shapes: [(Int, Int, Int)] = [
      (1, 1, 1), (7, 17, 63), (17, 63, 7), (63, 7, 17), (65, 129, 1), (129, 1, 65),
      (1, 65, 129), (65, 65, 65), (129, 129, 129), (7, 1, 129), (129, 7, 7), (63, 63, 63),
    ] + sizes.map { ($0, 17, 65) }
    for (tA, tB) in transposes {
      for (m, n, k) in shapes {
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0)
      }
    }
  }

  func testAlphaBetaAndPaddedLeadingDims() {
    for (tA, tB) in transposes {
      for (m, n, k) in [(7, 17, 63), (65, 33, 129), (129, 65, 17), (1, 129, 7)] {
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.5, beta: 2, pad: 5)
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0, pad: 3)
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: -1.5, beta: 1, pad: 1)
      }
    }
  }

  /// A few rows times a transposed B (batch-1 Linear layers) take the unpacked row-dot
  /// path: every row count it covers, depths around its 32- and 8-wide steps, columns
  /// enough to be split over the pool, padding, alpha/beta and NaN in C.
  func testRowDotPath() {
    for m in 1...4 {
      for k in [16, 17, 31, 33, 63, 300] {
        XCTAssertTrue(RowDotGEMM.applies(transA: false, transB: true, m: m, k: k))
        check(transA: false, transB: true, m: m, n: 129, k: k, alpha: 1, beta: 0)
        check(transA: false, transB: true, m: m, n: 7, k: k, alpha: -1.5, beta: 2, pad: 3)
        check(transA: false, transB: true, m: m, n: 65, k: k, alpha: 0.5, beta: 0, pad: 1, nanC: true)
      }
    }
    check(transA: false, transB: true, m: 1, n: 1000, k: 3072, alpha: 1, beta: 1)
    XCTAssertFalse(RowDotGEMM.applies(transA: false, transB: true, m: 5, k: 64))
    XCTAssertFalse(RowDotGEMM.applies(transA: true, transB: true, m: 1, k: 64))
  }

  func testBetaZeroIgnoresNaNInC() {
    for (tA, tB) in transposes {
      for (m, n, k) in [(2, 3, 4), (17, 63, 7), (65, 129, 65), (7, 7, 300)] {
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0, nanC: true)
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.5, beta: 0, pad: 2, nanC: true)
      }
    }
  }

  /// Depth larger than one KC slice, and rows/columns spanning several MC
  /// blocks, so the beta-on-first-slice-only logic and block edges are hit.
  func testMultipleBlocks() {
    for (tA, tB) in transposes {
      check(transA: tA, transB: tB, m: 200, n: 40, k: 600, alpha: 0.5, beta: 2, pad: 3)
      check(transA: tA, transB: tB, m: 350, n: 50, k: 257, alpha: 1, beta: 0, nanC: true)
      // Wider than one NC column block.
      check(transA: tA, transB: tB, m: 7, n: 4200, k: 270, alpha: 0.5, beta: 2, pad: 1)
    }
  }

  /// The threaded path with one shared packed B: bands of rows per thread (more bands
  /// than pool threads too), several KC slices, a partial last panel, and padding.
  func testSharedPackedBPath() {
    for (tA, tB) in transposes {
      for threads in [2, 3] {
        check(transA: tA, transB: tB, m: 97, n: 53, k: 300, alpha: 0.5, beta: 2, pad: 3, sharedThreads: threads)
        check(transA: tA, transB: tB, m: 61, n: 17, k: 7, alpha: 1, beta: 0, nanC: true, sharedThreads: threads)
      }
    }
  }

  func testZeroK() {
    for (tA, tB) in transposes {
      check(transA: tA, transB: tB, m: 7, n: 17, k: 0, alpha: 1, beta: 2, pad: 2)
      check(transA: tA, transB: tB, m: 7, n: 17, k: 0, alpha: 1, beta: 0, nanC: true)
      check(transA: tA, transB: tB, m: 65, n: 3, k: 0, alpha: 0.5, beta: 1)
    }
  }

  func testZeroMOrN() {
    for (tA, tB) in transposes {
      check(transA: tA, transB: tB, m: 0, n: 17, k: 7, alpha: 1, beta: 2)
      check(transA: tA, transB: tB, m: 17, n: 0, k: 7, alpha: 1, beta: 2, pad: 1)
      check(transA: tA, transB: tB, m: 0, n: 0, k: 0, alpha: 1, beta: 0)
    }
  }

  func testAlphaZeroScalesC() {
    check(transA: false, transB: false, m: 9, n: 20, k: 30, alpha: 0, beta: 0.5)
    check(transA: true, transB: true, m: 9, n: 20, k: 30, alpha: 0, beta: 0, nanC: true)
  }

  /// Directly exercises the blocked path on a tiny problem (normally routed to
  /// the small-problem loop), including edge tiles.
  func testBlockedPathOnSubRange() {
    let m = 13, n = 19, k = 5
    var rng = LCG(state: 99)
    let a = (0..<(m * k)).map { _ in rng.next() }
    let b = (0..<(k * n)).map { _ in rng.next() }
    var c1 = [Float](repeating: .nan, count: m * n)
    var c2 = [Float](repeating: .nan, count: m * n)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c1.withUnsafeMutableBufferPointer { pc in
          // Split into two row ranges and two column ranges, as a thread pool would
          // (the second row range reads A in place).
          for rows in [0..<6, 6..<m] {
            for cols in [0..<16, 16..<n] {
              let problem = GEMMProblem(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                        a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: 0,
                                        c: pc.baseAddress!, ldc: n, bias: nil, aInPlace: rows.lowerBound > 0)
              GEMM.computeBlock(problem, rows: rows, cols: cols)
            }
          }
        }
        c2.withUnsafeMutableBufferPointer { pc in
          GEMM.smallGEMM(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                         a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n,
                         beta: 0, c: pc.baseAddress!, ldc: n)
        }
      }
    }
    for i in 0..<(m * n) {
      XCTAssertEqual(c1[i], c2[i], accuracy: 1e-5, "index \(i)")
    }
  }

  /// The micro-kernel reading A in place (row-major and transposed) instead of packed
  /// panels: every row-tile tail (1…13 rows), depths across a KC slice and the tail
  /// copy's 128-depth chunks, partial column panels, padding, one thread and shared B.
  func testAInPlaceMatchesNaive() {
    for (tA, tB) in transposes {
      for m in [1, 5, 6, 7, 11, 12, 13, 25, 61] {
        check(transA: tA, transB: tB, m: m, n: 17, k: 7, alpha: 1, beta: 0, nanC: true, aInPlace: true)
      }
      for (m, n, k) in [(29, 33, 129), (13, 7, 300), (97, 53, 600), (200, 40, 257), (7, 4200, 20)] {
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.5, beta: 2, pad: 3, aInPlace: true)
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0, nanC: true, sharedThreads: 2,
              aInPlace: true)
      }
      // Rows 4 KiB apart (the layout readsAInPlace avoids) still compute right.
      check(transA: tA, transB: tB, m: 19, n: 20, k: 40, alpha: 1, beta: 1, aInPlace: true, ldaMultiple: 1024)
    }
  }

  /// A column bias added in the GEMM's epilogue on every path: tiny direct loop, row-dot,
  /// blocked with packed or in-place A, shared B, several KC slices (added once), k = 0.
  func testBiasEveryPath() {
    for (tA, tB) in transposes {
      for (m, n, k) in [(2, 2, 3), (1, 129, 40), (3, 7, 300), (17, 63, 7), (65, 129, 65), (200, 33, 600)] {
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0, nanC: true, withBias: true)
        check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.5, beta: 2, pad: 2, withBias: true)
        for inPlace in [false, true] {
          check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: -1, beta: 1, pad: 1, aInPlace: inPlace,
                withBias: true)
          check(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, beta: 0, nanC: true, sharedThreads: 3,
                aInPlace: inPlace, withBias: true)
        }
      }
      check(transA: tA, transB: tB, m: 7, n: 17, k: 0, alpha: 1, beta: 0, nanC: true, withBias: true)
    }
  }

  /// sgemm splits K over the threads for a deep product with a small C (it must keep alpha,
  /// beta and the padding of C).
  func testSplitKThroughSgemm() {
    XCTAssertEqual(SplitKGEMM.isWorthwhile(m: 16, n: 16, k: 16400), ThreadPool.shared.threadCount > 1)
    check(transA: true, transB: false, m: 16, n: 16, k: 16400, alpha: 0.5, beta: 2, pad: 3)
    check(transA: false, transB: true, m: 16, n: 16, k: 16400, alpha: 1, beta: 0, nanC: true)
  }

  /// Which layout the heuristic picks: narrow row-major products read A in place,
  /// wide, transposed or 4 KiB-strided ones pack it.
  func testInPlaceChoice() {
    guard ProcessInfo.processInfo.environment["SWIFTNN_GEMM_A"] == nil else { return }
    XCTAssertTrue(GEMM.readsAInPlace(transA: false, m: 8192, n: 128, k: 512, lda: 512))
    XCTAssertFalse(GEMM.readsAInPlace(transA: true, m: 8192, n: 128, k: 512, lda: 8192))
    XCTAssertFalse(GEMM.readsAInPlace(transA: false, m: 1024, n: 1024, k: 1024, lda: 1024))
    XCTAssertFalse(GEMM.readsAInPlace(transA: false, m: 128, n: 128, k: 3072, lda: 3072))
  }
}
