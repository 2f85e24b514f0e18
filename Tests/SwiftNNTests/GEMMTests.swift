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
                     file: StaticString = #filePath, line: UInt = #line) {
    var rng = LCG(state: UInt64(m &* 131 &+ n &* 17 &+ k &* 7 &+ pad) | 1)
    let aRows = transA ? k : m, aCols = transA ? m : k
    let bRows = transB ? n : k, bCols = transB ? k : n
    let lda = max(1, aCols + pad), ldb = max(1, bCols + pad), ldc = max(1, n + pad)
    let a = (0..<max(1, aRows * lda)).map { _ in rng.next() }
    let b = (0..<max(1, bRows * ldb)).map { _ in rng.next() }
    let sentinel: Float = 12345
    var c = [Float](repeating: sentinel, count: max(1, m * ldc))
    for i in 0..<m { for j in 0..<n { c[i * ldc + j] = nanC ? .nan : rng.next() } }
    let c0 = c

    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          if let threads = sharedThreads {
            GEMM.sharedBGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                             a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                             beta: beta, c: pc.baseAddress!, ldc: ldc, threads: threads)
          } else {
            GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                       beta: beta, c: pc.baseAddress!, ldc: ldc)
          }
        }
      }
    }

    let tag = "tA=\(transA) tB=\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(pad)"
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
        var expected = Double(alpha) * sum
        var scale = abs(Double(alpha)) * mag
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
          // Split into two row ranges and two column ranges, as a thread pool would.
          for rows in [0..<6, 6..<m] {
            for cols in [0..<16, 16..<n] {
              GEMM.computeBlock(transA: false, transB: false, rows: rows, cols: cols, k: k,
                                alpha: 1, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n,
                                beta: 0, c: pc.baseAddress!, ldc: n)
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
}
