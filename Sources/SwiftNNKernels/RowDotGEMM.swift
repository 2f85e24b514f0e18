import SwiftNNMicroKernels

/// C = alpha·A·Bᵀ + beta·C (+ bias) for a few rows of A: a batch-1 (or batch ≤ 4) Linear layer,
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
                              c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?) {
        // ~64 K multiply-adds per thread before waking another.
        let grain = max(1, (1 << 16) / max(1, m &* k))
        ThreadPool.shared.parallelFor(n, grain: grain) { columns in
            // The dot products run in C, compiled per instruction set (beta == 0 never reads C).
            let j = columns.lowerBound
            swiftnn_gemm_row_dot(a, lda, m, b + j &* ldb, ldb, columns.count, k, c + j, ldc, alpha, beta,
                                 bias.map { $0 + j })
        }
    }
}
