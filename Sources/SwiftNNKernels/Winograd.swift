#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftNNMicroKernels

/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2
/// output tile costs 16 multiplies per (in, out) channel pair instead of 36.
///
///     U = G·g·Gᵀ (per filter), V = Bᵀ·d·B (per 4×4 input tile), M_ξ = Σ_c U_ξ·V_ξ, Y = Aᵀ·M·A
///
/// The channel sums are 16 GEMMs (one per tile position ξ) of [out × in]·[in × tiles],
/// run over blocks of tiles sized to stay in cache; blocks are spread over the thread pool.
/// The transforms run per instruction set in C (`swiftnn_winograd_*`, winograd_body.h) and
/// write the GEMM tile's packed panels directly, so the GEMMs call the register tiles
/// (`swiftnn_gemm_packed`) without packing: before, packing the filters for each of the 16
/// GEMMs of every block took as long as the multiplications on wide layers.
/// The input gradient of such a convolution is the same operation on the output gradient
/// with the filters rotated by 180° and in/out swapped (`rotated`), padded by 2 − padding.
package enum Winograd {
    package struct Problem {
        package var batch: Int
        package var inChannels: Int, outChannels: Int
        package var height: Int, width: Int
        package var padTop: Int, padLeft: Int
        package var outH: Int, outW: Int
        /// Outputs per tile side: 2 for F(2×2, 3×3), 4 for F(4×4, 3×3) (forward only).
        package var tileSize = 2

        package var tilesH: Int { (outH &+ tileSize &- 1) / tileSize }
        package var tilesW: Int { (outW &+ tileSize &- 1) / tileSize }
        package var tilesPerImage: Int { tilesH &* tilesW }
        /// Matrices per tile: (tileSize + 2)².
        package var positions: Int { (tileSize &+ 2) &* (tileSize &+ 2) }
    }

    /// `SWIFTNN_WINOGRAD4=1` turns F(4×4, 3×3) on (off by default: not accurate enough).
    ///
    /// F(4×4) needs 1.78× fewer products than F(2×2) on outputs of whole 4×4 tiles, but its
    /// transforms scale values by up to 25 (interpolation points ±2), so float32 rounding in
    /// the channel sums grows ~10×: 32 channels of uniform ±1 data give a mean largest error
    /// of 1.9e-5 per 4×4 tile (F(2×2): 1.7e-6; the best point set tried, 0, ±1, ½, −2: 1.1e-5),
    /// beyond the 1e-5 + 1e-4·|y| the convolution tests hold every path to. Measured gain where
    /// it applies, batch 128, one thread: 64→128 at 16×16 33 → 19 ms, 256→256 at 8×8 44 → 34 ms;
    /// 512→512 at 4×4 none (its 36 filter matrices, 36 MiB, no longer stay in L3).
    package static let largeTilesEnabled = getenv("SWIFTNN_WINOGRAD4").map { String(cString: $0) == "1" } ?? false

    /// With F(4×4) enabled: where its 36 products per tile cost under 3/4 of F(2×2)'s 16 per
    /// tile for the same outputs (outputs of 2×2 or 6×6 pay for padded partial tiles).
    package static func tileSize(outH: Int, outW: Int) -> Int {
        guard largeTilesEnabled else { return 2 }
        let large = ((outH &+ 3) / 4) &* ((outW &+ 3) / 4) &* 36, small = ((outH &+ 1) / 2) &* ((outW &+ 1) / 2) &* 16
        return 4 &* large <= 3 &* small ? 4 : 2
    }

    /// `SWIFTNN_WINOGRAD=0` turns the path off (for benchmarks and bisecting).
    package static let enabled = getenv("SWIFTNN_WINOGRAD").map { String(cString: $0) != "0" } ?? true

    /// Fewest channels (in and out) worth the transforms. Rows of ≥ 16 outputs fill the direct
    /// kernel's strips, which wins on thin layers; narrower rows leave them part empty, and
    /// below 8 the direct kernel does not apply (im2col). Batch 128, one thread, forward and
    /// backward ms, direct or im2col vs Winograd: 16→16 at 32×32 7.9/17.1 vs 12.3/30.5;
    /// 48→12 at 8×8 2.05/3.5 vs 1.18/3.2; 16→32 at 8×8 1.78/2.9 vs 0.92/2.9; 8→8 at 8×8
    /// 0.36/0.64 vs 0.29/0.81; 8→8 at 4×4 0.27/0.52 vs 0.07/0.22.
    static func minimumChannels(outW: Int) -> Int {
        outW >= DirectConv.stripWidth ? 32 : outW >= 8 ? 12 : 8
    }

    /// Worth it when the channel GEMMs are deep enough to run near full speed.
    package static func applies(batch: Int, inChannels: Int, outChannels: Int, outH: Int, outW: Int) -> Bool {
        guard enabled && min(inChannels, outChannels) >= minimumChannels(outW: outW) && outH >= 2 && outW >= 2 else { return false }
        guard requiresBlockPerThread else { return true }
        // Blocks of tiles are the unit of parallelism and the filter transform is paid per
        // call: with fewer than a 16-tile panel per thread (batch-1 inference: one 8×8 image
        // is 16 tiles) the threaded im2col GEMM is faster (256→256 at 2×2, batch 1: 0.33 vs
        // 5.9 ms, 2 threads). From 16 tiles per thread on, Winograd wins (2 threads, AMD EPYC
        // Zen 4, forward / backward ms, Winograd against im2col): 128→256 at 2×2, batch 128:
        // 1.08 / 3.1 against 2.8 / 6.3; 256→256 at 8×8, batch 2: 0.67 / 1.9 against 1.9 / 5.1;
        // 128→128 at 16×16, batch 1: 0.40 / 0.75 against 0.64 / 1.9.
        let total = batch &* ((outH &+ 1) / 2) &* ((outW &+ 1) / 2)
        return total >= ThreadPool.shared.threadCount &* 16
    }

    /// Off in the kernel tests, so tiny problems still exercise this path.
    package static var requiresBlockPerThread = true

    /// Tiles per block: V (P·C·T) and M (P·O·T) floats within `blockBytes` (P = 16 or 36
    /// matrices), a whole number of 16-tile panels, and at least one block per thread where
    /// the batch allows.
    static func tilesPerBlock(inChannels: Int, outChannels: Int, total: Int, positions: Int = 16) -> Int {
        let fit = blockBytes / (4 &* positions &* (inChannels &+ outChannels)) / 16 &* 16
        let perThread = GEMM.roundUp((total &+ ThreadPool.shared.threadCount &- 1) / ThreadPool.shared.threadCount, 16)
        return max(16, min(fit, perThread))
    }

    /// Bytes of transformed tiles per block (`SWIFTNN_WINOGRAD_BLOCK_KIB` overrides, for tuning).
    static let blockBytes = getenv("SWIFTNN_WINOGRAD_BLOCK_KIB").flatMap { Int(String(cString: $0)) }.map { $0 << 10 } ?? 4 << 20

    /// The 16 matrices of U, V and M lie `skew` floats more than a whole number of rows apart:
    /// at exact multiples of 4 KiB the transforms' 16 stores per tile would all map to one
    /// L1 set and evict each other.
    static let skew = 48

    /// Filters transformed and packed for `forward` (U): made once per call, or kept by a
    /// caller whose filters do not change (eval mode) and passed to `forward(_:x:packed:...)`.
    package final class PackedFilters {
        package let inChannels: Int, outChannels: Int, tileSize: Int
        let buffer: Scratch
        /// Floats between the matrices of two positions ξ.
        let stride: Int

        /// U of `filters` ([out, in, 3, 3], or with `rotated` the [in, out, 3, 3] filters of the
        /// convolution whose input gradient this is) for tiles of `tileSize` outputs.
        package init(_ filters: UnsafePointer<Float>, outChannels: Int, inChannels: Int, rotated: Bool, tileSize: Int) {
            self.inChannels = inChannels; self.outChannels = outChannels; self.tileSize = tileSize
            let panelRows = GEMM.roundUp(outChannels, GEMMBlocking.mr), positions = (tileSize &+ 2) &* (tileSize &+ 2)
            stride = panelRows &* inChannels &+ Winograd.skew
            buffer = Scratch(count: positions &* stride)
            let u = buffer.base, stride = stride
            let transform = tileSize == 4 ? swiftnn_winograd4_filters : swiftnn_winograd_filters
            ThreadPool.shared.parallelFor(panelRows / GEMMBlocking.mr, grain: max(1, 4096 / max(inChannels, 1))) { panels in
                transform(filters, outChannels, inChannels, rotated ? 1 : 0, panels.lowerBound &* GEMMBlocking.mr,
                          panels.upperBound &* GEMMBlocking.mr, GEMMBlocking.kc, u, stride)
            }
        }

        deinit { buffer.free() }
    }

    /// y[n][o] = conv3×3(x[n], filters) + bias; filters [out, in, 3, 3], or with `rotated` the
    /// [in, out, 3, 3] filters of the convolution whose input gradient this is.
    /// `epilogue` finishes each output value as the output transform stores it.
    package static func forward(_ p: Problem, x: UnsafePointer<Float>, filters: UnsafePointer<Float>, rotated: Bool,
                        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none) {
        let packed = PackedFilters(filters, outChannels: p.outChannels, inChannels: p.inChannels, rotated: rotated,
                                   tileSize: p.tileSize)
        forward(p, x: x, packed: packed, bias: bias, y: y, epilogue: epilogue)
    }

    /// `forward` with filters already packed for this problem's channels and tile size.
    ///
    /// Per block of tiles: V straight into packed GEMM panels, 16 GEMMs against U, then Y
    /// from M. No GEMM packs anything.
    package static func forward(_ p: Problem, x: UnsafePointer<Float>, packed: PackedFilters,
                        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none) {
        assert(packed.inChannels == p.inChannels && packed.outChannels == p.outChannels && packed.tileSize == p.tileSize,
                     "Winograd.forward: filters packed for another problem")
        let large = p.tileSize == 4
        let transformInput = large ? swiftnn_winograd4_input_tiles : swiftnn_winograd_input_tiles
        let transformOutput = large ? swiftnn_winograd4_output_tiles : swiftnn_winograd_output_tiles
        let C = p.inChannels, O = p.outChannels, P = p.positions, slice = GEMMBlocking.kc, MC = GEMMBlocking.mc
        let panelRows = GEMM.roundUp(O, GEMMBlocking.mr), uStride = packed.stride
        let u = UnsafePointer(packed.buffer.base)
        defer { withExtendedLifetime(packed) {} }
        let total = p.batch &* p.tilesPerImage
        let perBlock = tilesPerBlock(inChannels: C, outChannels: O, total: total, positions: P)
        let blocks = (total &+ perBlock &- 1) / perBlock
        ThreadPool.shared.parallelFor(blocks) { range in
            let tpad = GEMM.roundUp(perBlock, 16)
            let vStride = C &* tpad &+ skew, mStride = O &* tpad &+ skew
            // Zeroed once: the output transform reads M's columns up to the panel end.
            let scratch = Scratch(count: P &* (vStride &+ mStride), zeroed: true)
            defer { scratch.free() }
            let v = scratch.base, m = scratch.base + P &* vStride
            for block in range {
                let first = block &* perBlock, count = min(perBlock, total &- first)
                transformInput(x, C, p.height, p.width, p.padTop, p.padLeft, p.tilesW, p.tilesPerImage,
                               first, count, slice, v, vStride)
                let panelTiles = GEMM.roundUp(count, 16)
                for xi in 0..<P {
                    var c0 = 0
                    while c0 < C {
                        let depth = min(slice, C &- c0)
                        var row = 0
                        while row < O {
                            let rows = min(MC, O &- row)
                            swiftnn_gemm_packed(u + (xi &* uStride &+ c0 &* panelRows &+ row &* depth),
                                                v + (xi &* vStride &+ c0 &* panelTiles), rows, count, depth,
                                                m + (xi &* mStride &+ row &* tpad), tpad, 1, c0 == 0 ? 0 : 1)
                            row &+= rows
                        }
                        c0 &+= depth
                    }
                }
                transformOutput(m, tpad, mStride, O, p.outH, p.outW, p.tilesW, p.tilesPerImage, first, count, bias,
                                epilogue.residual, epilogue.relu ? 1 : 0, y)
            }
        }
    }

    /// gw[o][c] (overwritten) = Σ over tiles of the gradient of y with respect to the filter:
    /// dU_ξ = Σ_t (A·dY·Aᵀ)_ξ[o][t]·V_ξ[c][t], then dg = Gᵀ·dU·G. Per block, both transforms
    /// write packed panels with the tiles as the GEMM depth (at most one slice of it).
    package static func weightGradient(_ problem: Problem, x: UnsafePointer<Float>, gy: UnsafePointer<Float>,
                               into gw: UnsafeMutablePointer<Float>) {
        var p = problem
        p.tileSize = 2
        let C = p.inChannels, O = p.outChannels, MC = GEMMBlocking.mc
        let total = p.batch &* p.tilesPerImage
        let perBlock = min(GEMMBlocking.kc, tilesPerBlock(inChannels: C, outChannels: O, total: total))
        let blocks = (total &+ perBlock &- 1) / perBlock
        let plane = O &* C, uCount = 16 &* plane
        // Each part sums its blocks into its own dU; the final transform adds the parts.
        let parts = min(blocks, ThreadPool.shared.threadCount)
        let partials = Scratch(count: parts &* uCount, zeroed: true)
        defer { partials.free() }
        ThreadPool.shared.parallelFor(parts) { range in
            let mStride = GEMM.roundUp(O, GEMMBlocking.mr) &* perBlock &+ skew
            let vStride = GEMM.roundUp(C, 16) &* perBlock &+ skew
            let scratch = Scratch(count: 16 &* (vStride &+ mStride))
            defer { scratch.free() }
            let v = scratch.base, m = v + 16 &* vStride
            for part in range {
                let local = partials.base + part &* uCount
                for block in (blocks &* part / parts)..<(blocks &* (part &+ 1) / parts) {
                    let first = block &* perBlock, count = min(perBlock, total &- first)
                    swiftnn_winograd_input_channels(x, C, p.height, p.width, p.padTop, p.padLeft, p.tilesW,
                                                    p.tilesPerImage, first, count, v, vStride)
                    swiftnn_winograd_gradient_channels(gy, O, p.outH, p.outW, p.tilesW, p.tilesPerImage, first, count,
                                                       m, mStride)
                    for xi in 0..<16 {
                        var row = 0
                        while row < O {
                            let rows = min(MC, O &- row)
                            swiftnn_gemm_packed(m + (xi &* mStride &+ row &* count), v + xi &* vStride, rows, C, count,
                                                local + (xi &* plane &+ row &* C), C, 1, 1)
                            row &+= rows
                        }
                    }
                }
            }
        }
        // dU = Σ parts (into part 0), then g = Gᵀ·dU·G per filter; both split over the pool.
        let sums = partials.base
        if parts > 1 {
            ThreadPool.shared.parallelFor(uCount, grain: 1 << 16) { range in
                for part in 1..<parts {
                    Elementwise.axpy(1, sums + (part &* uCount &+ range.lowerBound), sums + range.lowerBound, count: range.count)
                }
            }
        }
        ThreadPool.shared.parallelFor(plane, grain: 4096) { pairs in
            for pair in pairs {
                @inline(__always) func row(_ r: Int) -> SIMD4<Float> {
                    let base = sums + pair
                    return SIMD4(base[(r &* 4) &* plane], base[(r &* 4 &+ 1) &* plane], base[(r &* 4 &+ 2) &* plane],
                                 base[(r &* 4 &+ 3) &* plane])
                }
                let u0 = row(0), u1 = row(1), u2 = row(2), u3 = row(3)
                // Gᵀ·dU (3×4), then ·G (3×3).
                let e = (u0 + 0.5 * (u1 + u2), 0.5 * (u1 - u2), 0.5 * (u1 + u2) + u3)
                let out = gw + pair &* 9
                @inline(__always) func store(_ r: Int, _ q: SIMD4<Float>) {
                    out[r &* 3] = q.x + 0.5 * (q.y + q.z)
                    out[r &* 3 &+ 1] = 0.5 * (q.y - q.z)
                    out[r &* 3 &+ 2] = 0.5 * (q.y + q.z) + q.w
                }
                store(0, e.0); store(1, e.1); store(2, e.2)
            }
        }
    }
}
