/// out[b] = in[b]ᵀ for a stack of `batch` row-major [rows × cols] matrices: the
/// permutation that swaps the last two dimensions (MLP-Mixer's token mixing does it
/// four times per block). Tiles of 8×8 keep both the reads and the writes on a
/// few cache lines, and the matrices are split over the thread pool.
package enum BatchedTranspose {
    package static let tile = 8
    /// Elements per thread below which splitting costs more than it saves.
    package static let grain = 1 << 15

    package static func run(_ input: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int, rows: Int, cols: Int) {
        let size = rows &* cols
        guard size > 0 else { return }
        ThreadPool.shared.parallelFor(batch, grain: Swift.max(1, grain / size)) { range in
            for b in range {
                let src = input + b &* size, dst = out + b &* size
                var i0 = 0
                while i0 < rows {
                    let i1 = Swift.min(i0 &+ tile, rows)
                    var j0 = 0
                    while j0 < cols {
                        let j1 = Swift.min(j0 &+ tile, cols)
                        for j in j0..<j1 {
                            let d = dst + j &* rows
                            for i in i0..<i1 { d[i] = src[i &* cols &+ j] }
                        }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
    }
}
