/// C = alpha·A·Bᵀ + beta·C for a few rows of A: a batch-1 (or batch ≤ 4) Linear layer,
/// x·Wᵀ with W [out, in] row-major.
///
/// Every entry of C is a dot product of two contiguous rows, so neither operand is
/// packed. The blocked GEMM would pack all of W for each call (MLPnet's 128×3072
/// weight: 1.5 MiB copied to multiply one row by it). Columns of C (rows of W) are
/// split over the pool.
package enum RowDotGEMM {
    /// A not transposed, B transposed, at most four rows, and deep enough that the
    /// vector loop pays (shallower products take the direct triple loop).
    package static func applies(transA: Bool, transB: Bool, m: Int, k: Int) -> Bool {
        !transA && transB && m <= 4 && k >= 16
    }

    package static func sgemm(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                              b: UnsafePointer<Float>, ldb: Int, beta: Float,
                              c: UnsafeMutablePointer<Float>, ldc: Int) {
        // ~64 K multiply-adds per thread before waking another.
        let grain = max(1, (1 << 16) / max(1, m &* k))
        ThreadPool.shared.parallelFor(n, grain: grain) { columns in
            for j in columns {
                let row = b + j &* ldb
                for i in 0..<m {
                    let product = alpha * dot(a + i &* lda, row, count: k)
                    let entry = c + (i &* ldc &+ j)
                    // beta == 0 never reads C (it may hold garbage or NaN).
                    entry.pointee = beta == 0 ? product : product + beta * entry.pointee
                }
            }
        }
    }

    /// Σ x[p]·y[p] with four 8-lane accumulators (independent adds keep the pipes busy).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var p = 0
        while p &+ 32 <= count {
            s0.accumulateProduct(GEMM.loadU(x + p), GEMM.loadU(y + p))
            s1.accumulateProduct(GEMM.loadU(x + (p &+ 8)), GEMM.loadU(y + (p &+ 8)))
            s2.accumulateProduct(GEMM.loadU(x + (p &+ 16)), GEMM.loadU(y + (p &+ 16)))
            s3.accumulateProduct(GEMM.loadU(x + (p &+ 24)), GEMM.loadU(y + (p &+ 24)))
            p &+= 32
        }
        while p &+ 8 <= count {
            s0.accumulateProduct(GEMM.loadU(x + p), GEMM.loadU(y + p))
            p &+= 8
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while p < count { total += x[p] * y[p]; p &+= 1 }
        return total
    }
}
