import SwiftNNMicroKernels

/// Dropout masks from a counter-based generator: element i is kept when a hash of
/// (key, i) falls below the keep probability. One key per call (drawn from the default
/// generator, so `manualSeed` reproduces masks), so the mask is never stored: the
/// backward recomputes it, and any range of elements can be done on any thread with
/// the same result. The per-ISA loop (pointwise_body.h) hashes a vector of counters at once.
package enum DropoutKernel {
    package static let grain = 1 << 15

    /// splitmix64's finalizer over the key-offset counter: a bijection with full avalanche.
    @inline(__always)
    package static func hash(_ key: UInt64, _ i: Int) -> UInt64 {
        var z = key &+ UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The 24-bit threshold t with (u < t) ⇔ (u·2⁻²⁴ < keep) for 24-bit integers u.
    package static func threshold(keep: Float) -> UInt64 { UInt64((Double(keep) * 0x1p24).rounded(.up)) }

    /// y[i] = x[i]·(kept(i) ? scale : 0), the same product as multiplying by a mask
    /// (NaN·0 stays NaN, as in PyTorch).
    package static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                      key: UInt64, keep: Float, scale: Float) {
        let t = threshold(keep: keep)
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            let i = range.lowerBound
            swiftnn_dropout_mask(x + i, y + i, range.count, key, i, t, scale)
        }
    }
}
