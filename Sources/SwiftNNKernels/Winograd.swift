#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2
/// output tile costs 16 multiplies per (in, out) channel pair instead of 36.
///
///     U = G·g·Gᵀ (per filter), V = Bᵀ·d·B (per 4×4 input tile), M_ξ = Σ_c U_ξ·V_ξ, Y = Aᵀ·M·A
///
/// The channel sums are 16 GEMMs (one per tile position ξ) of [out × in]·[in × tiles],
/// run over blocks of tiles sized to stay in cache; blocks are spread over the thread pool.
/// The input gradient of such a convolution is the same operation on the output gradient
/// with the filters rotated by 180° and in/out swapped (`rotated`), padded by 2 − padding.
package enum Winograd {
    package struct Problem {
        package var batch: Int
        package var inChannels: Int, outChannels: Int
        package var height: Int, width: Int
        package var padTop: Int, padLeft: Int
        package var outH: Int, outW: Int

        package var tilesH: Int { (outH &+ 1) / 2 }
        package var tilesW: Int { (outW &+ 1) / 2 }
        package var tilesPerImage: Int { tilesH &* tilesW }
    }

    /// `SWIFTNN_WINOGRAD=0` turns the path off (for benchmarks and bisecting).
    package static let enabled = getenv("SWIFTNN_WINOGRAD").map { String(cString: $0) != "0" } ?? true

    /// Worth it when the channel GEMMs are deep enough to run near full speed.
    package static func applies(batch: Int, inChannels: Int, outChannels: Int, outH: Int, outW: Int) -> Bool {
        guard enabled && inChannels >= 32 && outChannels >= 32 && outH >= 2 && outW >= 2 else { return false }
        guard requiresBlockPerThread else { return true }
        // Blocks of tiles are the unit of parallelism and the filter transform is paid per
        // call: with fewer blocks than threads (batch-1 inference: one 8×8 image is 16 tiles)
        // the threaded im2col GEMM is faster (ResNet-50's 128→128 at 16×16, batch 1:
        // 0.95 vs 1.23 ms; 256→256 at 2×2: 0.33 vs 5.9 ms, 2 threads).
        let total = batch &* ((outH &+ 1) / 2) &* ((outW &+ 1) / 2)
        return total >= ThreadPool.shared.threadCount &* tilesPerBlock(inChannels: inChannels, outChannels: outChannels, total: total)
    }

    /// Off in the kernel tests, so tiny problems still exercise this path.
    package static var requiresBlockPerThread = true

    /// Tiles per block: V (16·C·T) and M (16·O·T) floats within ~2 MiB.
    static func tilesPerBlock(inChannels: Int, outChannels: Int, total: Int) -> Int {
        max(16, min(total, (2 << 20) / (64 &* (inChannels &+ outChannels))))
    }

    /// U[ξ][o][c] = (G·g·Gᵀ)_ξ for the filter g = weight[o][c] (or, when `rotated`, the
    /// filter of output channel c and input channel o turned by 180°: weight[c][o][2−i][2−j]).
    package static func transformFilters(_ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int, rotated: Bool,
                                 into u: UnsafeMutablePointer<Float>) {
        let plane = outChannels &* inChannels
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                var g = SIMD16<Float>()
                let src = rotated ? weight + (c &* outChannels &+ o) &* 9 : weight + (o &* inChannels &+ c) &* 9
                for i in 0..<9 { g[i] = rotated ? src[8 &- i] : src[i] }
                // Rows: G·g (4×3).
                var t = SIMD16<Float>()
                for j in 0..<3 {
                    let a = g[j], b = g[3 &+ j], d = g[6 &+ j]
                    t[j] = a
                    t[3 &+ j] = 0.5 * (a + b + d)
                    t[6 &+ j] = 0.5 * (a - b + d)
                    t[9 &+ j] = d
                }
                // Columns: (G·g)·Gᵀ (4×4).
                for r in 0..<4 {
                    let a = t[r &* 3], b = t[r &* 3 &+ 1], d = t[r &* 3 &+ 2]
                    let values: (Float, Float, Float, Float) = (a, 0.5 * (a + b + d), 0.5 * (a - b + d), d)
                    let base = u + (o &* inChannels &+ c)
                    base[(r &* 4) &* plane] = values.0
                    base[(r &* 4 &+ 1) &* plane] = values.1
                    base[(r &* 4 &+ 2) &* plane] = values.2
                    base[(r &* 4 &+ 3) &* plane] = values.3
                }
            }
        }
    }

    /// y[n][o] = conv3×3(x[n], filters) + bias; filters [out, in, 3, 3], or with `rotated` the
    /// [in, out, 3, 3] filters of the convolution whose input gradient this is.
    /// `epilogue` finishes each output value as the output transform stores it;
    /// `transformedFilters`, when given, is U of these filters already (eval-mode weights
    /// transformed once) and `filters` is not read.
    package static func forward(_ p: Problem, x: UnsafePointer<Float>, filters: UnsafePointer<Float>, rotated: Bool,
                        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none,
                        transformedFilters: UnsafePointer<Float>? = nil) {
        let transformed = Scratch(count: transformedFilters == nil ? 16 &* p.outChannels &* p.inChannels : 0)
        defer { transformed.free() }
        if transformedFilters == nil {
            transformFilters(filters, outChannels: p.outChannels, inChannels: p.inChannels, rotated: rotated, into: transformed.base)
        }
        let u = transformedFilters ?? UnsafePointer(transformed.base)
        let total = p.batch &* p.tilesPerImage
        let perBlock = tilesPerBlock(inChannels: p.inChannels, outChannels: p.outChannels, total: total)
        let blocks = (total &+ perBlock &- 1) / perBlock
        ThreadPool.shared.parallelFor(blocks) { range in
            // The 16 matrices of V (and of M) are `skew` floats more than a whole number of
            // rows apart: at exact multiples of 4 KiB the transforms' 16 stores per tile would
            // all map to one L1 set and evict each other.
            let skew = 48
            let vStride = p.inChannels &* perBlock &+ skew, mStride = p.outChannels &* perBlock &+ skew
            let scratch = Scratch(count: 16 &* (vStride &+ mStride))
            defer { scratch.free() }
            let v = scratch.base, m = scratch.base + 16 &* vStride
            for block in range {
                let first = block &* perBlock, count = min(perBlock, total &- first)
                transformInput(p, x: x, tiles: first..<(first &+ count), into: v, ldv: count, stride: vStride)
                for xi in 0..<16 {
                    GEMM.sgemm(transA: false, transB: false, m: p.outChannels, n: count, k: p.inChannels, alpha: 1,
                               a: u + xi &* p.outChannels &* p.inChannels, lda: p.inChannels,
                               b: v + xi &* vStride, ldb: count,
                               beta: 0, c: m + xi &* mStride, ldc: count)
                }
                transformOutput(p, m: m, ldm: count, stride: mStride, tiles: first..<(first &+ count), bias: bias,
                                epilogue: epilogue, into: y)
            }
        }
    }

    /// gw[o][c] (overwritten) = Σ over tiles of the gradient of y with respect to the filter:
    /// dU_ξ = Σ_t (A·dY·Aᵀ)_ξ[o][t]·V_ξ[c][t], then dg = Gᵀ·dU·G.
    package static func weightGradient(_ p: Problem, x: UnsafePointer<Float>, gy: UnsafePointer<Float>,
                               into gw: UnsafeMutablePointer<Float>) {
        let total = p.batch &* p.tilesPerImage
        let perBlock = tilesPerBlock(inChannels: p.inChannels, outChannels: p.outChannels, total: total)
        let blocks = (total &+ perBlock &- 1) / perBlock
        let uCount = 16 &* p.outChannels &* p.inChannels
        let sum = Scratch(count: uCount, zeroed: true)
        defer { sum.free() }
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        defer { pthread_mutex_destroy(lock); lock.deallocate() }
        ThreadPool.shared.parallelFor(blocks) { range in
            let skew = 48
            let vStride = p.inChannels &* perBlock &+ skew, mStride = p.outChannels &* perBlock &+ skew
            let scratch = Scratch(count: 16 &* (vStride &+ mStride) &+ uCount)
            defer { scratch.free() }
            let v = scratch.base, m = v + 16 &* vStride, local = m + 16 &* mStride
            local.initialize(repeating: 0, count: uCount)
            for block in range {
                let first = block &* perBlock, count = min(perBlock, total &- first)
                transformInput(p, x: x, tiles: first..<(first &+ count), into: v, ldv: count, stride: vStride)
                transformGradient(p, gy: gy, tiles: first..<(first &+ count), into: m, ldm: count, stride: mStride)
                for xi in 0..<16 {
                    GEMM.sgemm(transA: false, transB: true, m: p.outChannels, n: p.inChannels, k: count, alpha: 1,
                               a: m + xi &* mStride, lda: count, b: v + xi &* vStride, ldb: count,
                               beta: 1, c: local + xi &* p.outChannels &* p.inChannels, ldc: p.inChannels)
                }
            }
            pthread_mutex_lock(lock)
            Elementwise.axpy(1, local, sum.base, count: uCount)
            pthread_mutex_unlock(lock)
        }
        let plane = p.outChannels &* p.inChannels
        for pair in 0..<plane {
            @inline(__always) func row(_ r: Int) -> SIMD4<Float> {
                let base = sum.base + pair
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

    /// Ṁ[ξ][o][t] = (A·dY·Aᵀ)_ξ for the 2×2 output-gradient tile dY (zero beyond the output).
    private static func transformGradient(_ p: Problem, gy: UnsafePointer<Float>, tiles: Range<Int>,
                                          into m: UnsafeMutablePointer<Float>, ldm: Int, stride rowStride: Int) {
        let plane = p.outH &* p.outW
        for (t, tile) in tiles.enumerated() {
            let image = tile / p.tilesPerImage, within = tile &- image &* p.tilesPerImage
            let oy = (within / p.tilesW) &* 2, ox = (within % p.tilesW) &* 2
            let hasRight = ox &+ 1 < p.outW, hasBottom = oy &+ 1 < p.outH
            for o in 0..<p.outChannels {
                let src = gy + ((image &* p.outChannels &+ o) &* plane &+ oy &* p.outW &+ ox)
                let a = src[0], b: Float = hasRight ? src[1] : 0
                let c: Float = hasBottom ? src[p.outW] : 0
                let d: Float = hasBottom && hasRight ? src[p.outW &+ 1] : 0
                // A·dY (4×2) rows (u, w), each then ·Aᵀ: (u, w) ↦ (u, u + w, u − w, −w).
                let out = m + (o &* ldm &+ t)
                @inline(__always) func store(_ r: Int, _ u: Float, _ w: Float) {
                    out[(r &* 4) &* rowStride] = u
                    out[(r &* 4 &+ 1) &* rowStride] = u + w
                    out[(r &* 4 &+ 2) &* rowStride] = u - w
                    out[(r &* 4 &+ 3) &* rowStride] = -w
                }
                store(0, a, b); store(1, a + c, b + d); store(2, a - c, b - d); store(3, -c, -d)
            }
        }
    }

    /// V[ξ][c][t] = (Bᵀ·d·B)_ξ for the 4×4 input patch d of each tile (zero outside the image).
    private static func transformInput(_ p: Problem, x: UnsafePointer<Float>, tiles: Range<Int>,
                                       into v: UnsafeMutablePointer<Float>, ldv: Int, stride rowStride: Int) {
        let plane = p.height &* p.width
        for (t, tile) in tiles.enumerated() {
            let image = tile / p.tilesPerImage, within = tile &- image &* p.tilesPerImage
            let top = (within / p.tilesW) &* 2 &- p.padTop, left = (within % p.tilesW) &* 2 &- p.padLeft
            let inside = top >= 0 && left >= 0 && top &+ 4 <= p.height && left &+ 4 <= p.width
            for c in 0..<p.inChannels {
                let src = x + (image &* p.inChannels &+ c) &* plane
                // The patch as four rows of four.
                var d0 = SIMD4<Float>(), d1 = SIMD4<Float>(), d2 = SIMD4<Float>(), d3 = SIMD4<Float>()
                if inside {
                    let origin = UnsafeRawPointer(src + (top &* p.width &+ left)), rowBytes = p.width &* 4
                    d0 = origin.loadUnaligned(as: SIMD4<Float>.self)
                    d1 = origin.loadUnaligned(fromByteOffset: rowBytes, as: SIMD4<Float>.self)
                    d2 = origin.loadUnaligned(fromByteOffset: 2 &* rowBytes, as: SIMD4<Float>.self)
                    d3 = origin.loadUnaligned(fromByteOffset: 3 &* rowBytes, as: SIMD4<Float>.self)
                } else {
                    @inline(__always) func row(_ r: Int) -> SIMD4<Float> {
                        var out = SIMD4<Float>()
                        let iy = top &+ r
                        guard iy >= 0 && iy < p.height else { return out }
                        for s in 0..<4 where left &+ s >= 0 && left &+ s < p.width { out[s] = src[iy &* p.width &+ left &+ s] }
                        return out
                    }
                    d0 = row(0); d1 = row(1); d2 = row(2); d3 = row(3)
                }
                // Bᵀ·d on the rows, then ·B on the columns of each.
                let rows = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                let out = v + (c &* ldv &+ t)
                @inline(__always) func store(_ r: SIMD4<Float>, _ base: Int) {
                    out[base &* rowStride] = r.x - r.z
                    out[(base &+ 1) &* rowStride] = r.y + r.z
                    out[(base &+ 2) &* rowStride] = r.z - r.y
                    out[(base &+ 3) &* rowStride] = r.y - r.w
                }
                store(rows.0, 0); store(rows.1, 4); store(rows.2, 8); store(rows.3, 12)
            }
        }
    }

    /// y tile = Aᵀ·M·A (+ bias), clipped at the bottom/right edge.
    private static func transformOutput(_ p: Problem, m: UnsafePointer<Float>, ldm: Int, stride rowStride: Int,
                                        tiles: Range<Int>, bias: UnsafePointer<Float>?, epilogue: ConvEpilogue,
                                        into y: UnsafeMutablePointer<Float>) {
        let plane = p.outH &* p.outW
        for (t, tile) in tiles.enumerated() {
            let image = tile / p.tilesPerImage, within = tile &- image &* p.tilesPerImage
            let oy = (within / p.tilesW) &* 2, ox = (within % p.tilesW) &* 2
            let fullTile = oy &+ 2 <= p.outH && ox &+ 2 <= p.outW
            for o in 0..<p.outChannels {
                let src = m + (o &* ldm &+ t)
                @inline(__always) func row(_ base: Int) -> SIMD4<Float> {
                    SIMD4(src[base &* rowStride], src[(base &+ 1) &* rowStride], src[(base &+ 2) &* rowStride],
                          src[(base &+ 3) &* rowStride])
                }
                let k0 = row(0), k1 = row(4), k2 = row(8), k3 = row(12)
                // Aᵀ·M on the rows (2×4), then ·A on the columns (2×2).
                let r0 = k0 + k1 + k2, r1 = k1 - k2 - k3
                let shift = bias?[o] ?? 0
                var y00 = r0[0] + r0[1] + r0[2] + shift, y01 = r0[1] - r0[2] - r0[3] + shift
                var y10 = r1[0] + r1[1] + r1[2] + shift, y11 = r1[1] - r1[2] - r1[3] + shift
                let offset = (image &* p.outChannels &+ o) &* plane &+ oy &* p.outW &+ ox
                let dst = y + offset
                if !epilogue.isNone {
                    // Past the bottom/right edge the offsets are never stored, only computed.
                    y00 = epilogue.finish(y00, at: offset)
                    if ox &+ 1 < p.outW { y01 = epilogue.finish(y01, at: offset &+ 1) }
                    if oy &+ 1 < p.outH {
                        y10 = epilogue.finish(y10, at: offset &+ p.outW)
                        if ox &+ 1 < p.outW { y11 = epilogue.finish(y11, at: offset &+ p.outW &+ 1) }
                    }
                }
                if fullTile {
                    dst[0] = y00; dst[1] = y01; dst[p.outW] = y10; dst[p.outW &+ 1] = y11
                } else {
                    dst[0] = y00
                    if ox &+ 1 < p.outW { dst[1] = y01 }
                    if oy &+ 1 < p.outH {
                        dst[p.outW] = y10
                        if ox &+ 1 < p.outW { dst[p.outW &+ 1] = y11 }
                    }
                }
            }
        }
    }
}
