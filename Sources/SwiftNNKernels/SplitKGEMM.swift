/// C = op(A)·op(B) with the depth K cut into one slice per thread: each slice is a
/// serial GEMM into its own buffer, and the partial products are summed.
///
/// For weight gradients (dW = Gᵀ·X): the output is small (out × in) but K is the
/// number of rows in the batch, so splitting C into tiles leaves each thread
/// re-packing all of K for a few tiles and two threads run no faster than one
/// (measured: 128×512×8192 at ~44 GFLOP/s with 1 or 2 threads).
package enum SplitKGEMM {
    /// True when splitting K beats splitting C: K dwarfs both sides of C and the
    /// product is large enough to pay for waking the pool and summing the slices.
    package static func isWorthwhile(m: Int, n: Int, k: Int) -> Bool {
        ThreadPool.shared.threadCount > 1 && !ThreadPool.shared.isInsideRegion
            && k >= 8 &* Swift.max(m, n) && m &* n &* k >= 1 << 22
    }

    /// C[m×n] = alpha·op(A)·op(B) + beta·C. `slices` defaults to the thread count.
    package static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                              beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil,
                              slices requested: Int? = nil) {
        let ldc = ldc ?? n
        let slices = Swift.max(1, Swift.min(requested ?? ThreadPool.shared.threadCount, k))
        if slices == 1 || m == 0 || n == 0 {
            GEMM.unsplit(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: nil)
            return
        }
        // Slice 0 updates C itself; the others write partial products summed below.
        let size = m &* n
        let scratch = Scratch(count: (slices &- 1) &* size)
        defer { scratch.free() }
        let partials = scratch.base
        ThreadPool.shared.parallelFor(slices) { range in
            for s in range {
                let p0 = k &* s / slices, p1 = k &* (s &+ 1) / slices
                // Depth p of op(A) is row p of A when transposed, else column p; likewise for B.
                let aSlice = a + (transA ? p0 &* lda : p0), bSlice = b + (transB ? p0 : p0 &* ldb)
                let first = s == 0
                GEMM.unsplit(transA: transA, transB: transB, m: m, n: n, k: p1 &- p0, alpha: alpha, a: aSlice,
                             lda: lda, b: bSlice, ldb: ldb, beta: first ? beta : 0,
                             c: first ? c : partials + (s &- 1) &* size, ldc: first ? ldc : n, bias: nil)
            }
        }
        for s in 1..<slices {
            let p = partials + (s &- 1) &* size
            for i in 0..<m {
                let row = c + i &* ldc, part = p + i &* n
                for j in 0..<n { row[j] += part[j] }
            }
        }
    }
}
