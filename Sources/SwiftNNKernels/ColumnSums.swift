/// out[j] = Σ_i x[i·n + j]: the column sums of a row-major rows × n matrix (a Linear
/// layer's bias gradient, summed over the batch's rows).
///
/// The generic reduction walks one row at a time with a scalar closure; this adds
/// eight columns per vector operation and splits the rows over the pool (each band
/// sums into its own buffer, added at the end), so the pass runs at memory speed.
package enum ColumnSums {
    package static func sum(_ x: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: n)
        if rows == 0 || n == 0 { return }
        // ~256 K elements per band before waking another thread.
        let bands = max(1, min(ThreadPool.shared.threadCount, rows &* n / (1 << 18), rows))
        if bands == 1 {
            accumulate(x, rows: 0..<rows, n: n, into: out)
            return
        }
        let scratch = Scratch(count: (bands &- 1) &* n, zeroed: true)
        defer { scratch.free() }
        ThreadPool.shared.parallelFor(bands) { range in
            for band in range {
                let target = band == 0 ? out : scratch.base + (band &- 1) &* n
                accumulate(x, rows: (rows &* band / bands)..<(rows &* (band &+ 1) / bands), n: n, into: target)
            }
        }
        for band in 1..<bands {
            let partial = scratch.base + (band &- 1) &* n
            for j in 0..<n { out[j] += partial[j] }
        }
    }

    /// out[j] += Σ_{i in rows} x[i·n + j], row by row: the input streams once, in
    /// order, and `out` (one row long) stays in L1.
    @inline(__always)
    private static func accumulate(_ x: UnsafePointer<Float>, rows: Range<Int>, n: Int,
                                   into out: UnsafeMutablePointer<Float>) {
        let o = UnsafeMutableRawPointer(out)
        for i in rows {
            let src = UnsafeRawPointer(x + i &* n)
            var j = 0
            while j &+ 8 <= n {
                let offset = j &* 4
                let sum = o.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    + src.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                o.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
                j &+= 8
            }
            while j < n { out[j] += x[i &* n &+ j]; j &+= 1 }
        }
    }
}
