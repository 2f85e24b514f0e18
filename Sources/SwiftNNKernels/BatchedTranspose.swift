import SwiftNNMicroKernels

/// out[b] = in[b]ᵀ for a stack of `batch` row-major [rows × cols] matrices: the
/// permutation that swaps the last two dimensions (MLP-Mixer's token mixing does it
/// four times per block). Each matrix runs in the per-ISA kernel (8×8 blocks through
/// registers); the matrices are split over the thread pool.
package enum BatchedTranspose {
    /// Elements per thread below which splitting costs more than it saves.
    package static let grain = 1 << 15

    package static func run(_ input: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int, rows: Int, cols: Int) {
        let size = rows &* cols
        guard size > 0 else { return }
        ThreadPool.shared.parallelFor(batch, grain: Swift.max(1, grain / size)) { range in
            for b in range { swiftnn_transpose_matrix(input + b &* size, out + b &* size, rows, cols) }
        }
    }
}
