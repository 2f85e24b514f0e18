import SwiftNNMicroKernels

/// 2-D convolution over an NCHW batch as im2col + GEMM, forward and backward.
///
/// Work is split across the thread pool by images when the batch is large
/// enough (each thread runs single-threaded GEMMs on its own scratch), and left
/// to the multi-threaded GEMM otherwise. Images with small outputs are folded
/// side by side into one wider column matrix so the GEMM sees enough columns.
package struct ConvProblem {
    package var batch: Int
    package var groups: Int
    package var outChannels: Int
    /// Per group: `geometry.channels` is in_channels / groups.
    package var geometry: WindowGeometry

    package init(batch: Int, groups: Int, outChannels: Int, geometry: WindowGeometry) {
        self.batch = batch; self.groups = groups; self.outChannels = outChannels; self.geometry = geometry
    }

    package var outPerGroup: Int { outChannels / groups }
    package var inImage: Int { geometry.channels &* groups &* geometry.imageSize }
    package var outImage: Int { outChannels &* geometry.outputSize }
    /// Input channels of one group, as a pointer offset.
    package var inGroupStride: Int { geometry.channels &* geometry.imageSize }

    /// Images per GEMM: enough that the column matrix has ≳256 columns.
    package var imagesPerGEMM: Int { max(1, min(batch, 256 / max(geometry.outputSize, 1))) }
}

extension ConvProblem {
    /// A 3×3, stride-1, undilated, ungrouped convolution: the Winograd path.
    private var isWinogradShape: Bool {
        let g = geometry
        return groups == 1 && g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1
            && g.dilationH == 1 && g.dilationW == 1
    }

    package var winogradForward: Winograd.Problem? {
        let g = geometry
        guard isWinogradShape, !prefersDirect(directForward), Winograd.applies(batch: batch, inChannels: g.channels, outChannels: outChannels, outH: g.outH, outW: g.outW)
        else { return nil }
        return Winograd.Problem(batch: batch, inChannels: g.channels, outChannels: outChannels, height: g.height,
                                width: g.width, padTop: g.padTop, padLeft: g.padLeft, outH: g.outH, outW: g.outW,
                                tileSize: Winograd.tileSize(outH: g.outH, outW: g.outW))
    }

    /// dx = conv(gy padded by 2 − padding, filters rotated 180° with in/out swapped).
    package var winogradInputGradient: Winograd.Problem? {
        let g = geometry
        guard isWinogradShape, !prefersDirect(directInputGradient), Winograd.applies(batch: batch, inChannels: outChannels, outChannels: g.channels, outH: g.height, outW: g.width)
        else { return nil }
        return Winograd.Problem(batch: batch, inChannels: outChannels, outChannels: g.channels, height: g.outH,
                                width: g.outW, padTop: 2 - g.padTop, padLeft: 2 - g.padLeft, outH: g.height, outW: g.width,
                                tileSize: Winograd.tileSize(outH: g.height, outW: g.width))
    }
}

extension ConvProblem {
    /// Where both apply, the in-place kernel beats Winograd on thin layers with rows of
    /// whole 16-pixel strips (normal_CNN's 32→32 at 16×16: forward 4.8 vs 7.5 ms,
    /// backward 13.5 vs 18.8 ms at batch 128, 2 threads); from 64 channels on they tie
    /// or Winograd wins (128→128 at 16×16, batch 64: 36–38 vs 29–36 ms forward).
    fileprivate func prefersDirect(_ direct: DirectConv.Problem?) -> Bool {
        guard let direct else { return false }
        return direct.outW >= DirectConv.stripWidth && max(direct.inChannels, direct.outChannels) < 64
    }

    /// Stride 1, one group, a window wider than one pixel: the shapes `DirectConv` reads
    /// in place. A 1×1 convolution's column matrix is the image itself, which the plain
    /// GEMM reads faster (ResNet-50's 256→64 at 32×32, batch 32: 8.7–9.2 vs 11.4–12.8 ms).
    private var isDirectShape: Bool {
        groups == 1 && geometry.strideH == 1 && geometry.strideW == 1 && geometry.kernelH &* geometry.kernelW > 1
    }

    package var directForward: DirectConv.Problem? {
        let g = geometry
        guard isDirectShape, DirectConv.applies(batch: batch, outW: g.outW, channels: max(g.channels, outChannels)) else { return nil }
        return DirectConv.Problem(batch: batch, inChannels: g.channels, outChannels: outChannels, height: g.height,
                                  width: g.width, kernelH: g.kernelH, kernelW: g.kernelW, padTop: g.padTop,
                                  padLeft: g.padLeft, dilationH: g.dilationH, dilationW: g.dilationW,
                                  outH: g.outH, outW: g.outW)
    }

    /// dx = conv(gy padded by (kernel − 1)·dilation − padding, filters rotated 180° with in/out swapped).
    package var directInputGradient: DirectConv.Problem? {
        let g = geometry
        let padTop = (g.kernelH &- 1) &* g.dilationH &- g.padTop, padLeft = (g.kernelW &- 1) &* g.dilationW &- g.padLeft
        guard isDirectShape, padTop >= 0, padLeft >= 0, DirectConv.applies(batch: batch, outW: g.width, channels: max(g.channels, outChannels)) else { return nil }
        return DirectConv.Problem(batch: batch, inChannels: outChannels, outChannels: g.channels, height: g.outH,
                                  width: g.outW, kernelH: g.kernelH, kernelW: g.kernelW, padTop: padTop,
                                  padLeft: padLeft, dilationH: g.dilationH, dilationW: g.dilationW,
                                  outH: g.height, outW: g.width)
    }
}

package enum ConvKernel {
    /// How many contiguous chunks the batch is split into: one per thread when the
    /// batch is large enough, else one (and the GEMMs thread internally).
    package static func chunks(_ p: ConvProblem) -> Int {
        let threads = ThreadPool.shared.threadCount
        return p.batch >= 2 &* threads ? threads : 1
    }

    /// Runs `body(chunkIndex, images)` for every chunk, chunks in parallel.
    package static func forEachChunk(_ p: ConvProblem, _ body: (Int, Range<Int>) -> Void) {
        let count = chunks(p)
        ThreadPool.shared.parallelFor(count) { range in
            for chunk in range {
                body(chunk, (p.batch &* chunk / count)..<(p.batch &* (chunk &+ 1) / count))
            }
        }
    }

    /// y = conv(x, weight) + bias, then `epilogue` on each image's output while it is in cache.
    /// weight is [outChannels, channels, kh, kw]; `packedFilters`, when given, holds each
    /// group's rows of it already packed for the GEMM (eval-mode weights packed once).
    package static func forward(_ p: ConvProblem, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none,
                        packedFilters: [PackedMatrix]? = nil) {
        let g = p.geometry, K = g.patchSize, P = g.outputSize, Og = p.outPerGroup
        let fold = p.imagesPerGEMM
        // A product over several images reads and writes each image in place (`ColumnGroups`:
        // B's and C's columns spread over the images) and applies the bias, residual and ReLU
        // in the GEMM tile, where each image's output is a whole number of B panels; otherwise
        // it runs on one column matrix and its product is scattered to the images afterwards.
        let inPlace = fold > 1 && K > 0 && P % GEMMBlocking.nr == 0
        let readsImages = g.isPointwise && (fold == 1 || inPlace)
        forEachChunk(p) { _, images in
            let scratch = Scratch(count: (readsImages ? 0 : K &* fold &* P) &+ (fold > 1 && !inPlace ? Og &* fold &* P : 0))
            defer { scratch.free() }
            let col = scratch.base, product = scratch.base + (readsImages ? 0 : K &* fold &* P)
            let scatter = FoldedOutput(rows: fold > 1 && !inPlace ? Og : 0)
            defer { scatter.free() }
            var start = images.lowerBound
            while start < images.upperBound {
                let n = min(fold, images.upperBound &- start)
                let columns = n &* P
                // The output written by the GEMM tile with the bias, residual and ReLU applied as
                // it goes: no passes over the output before or after.
                let epilogueInGEMM = (n == 1 && packedFilters != nil || inPlace) && K > 0
                for group in 0..<p.groups {
                    let a = weight + group &* Og &* K
                    let offset = start &* p.outImage &+ group &* Og &* P
                    if epilogueInGEMM {
                        let tail = swiftnn_gemm_epilogue(row_bias: bias.map { $0 + group &* Og },
                                                         residual: epilogue.residual.map { $0 + offset }, ldr: P,
                                                         relu: epilogue.relu ? 1 : 0)
                        let groups = n > 1 ? ColumnGroups(width: P, bStride: readsImages ? p.inImage : nil, cStride: p.outImage) : nil
                        let (b, ldb) = readsImages
                            ? (x + (start &* p.inImage &+ group &* p.inGroupStride), P)
                            : (columnMatrix(p, x: x, images: start..<(start &+ n), group: group, scratch: col), columns)
                        if let packedFilters {
                            packedFilters[group].multiply(b, ldb: ldb, columns: columns, beta: 0, into: y + offset, ldc: P,
                                                          epilogue: tail, columnGroups: groups)
                        } else {
                            GEMM.blocked(GEMMProblem(transA: false, transB: false, m: Og, n: columns, k: K, alpha: 1, a: a,
                                                     lda: K, b: b, ldb: ldb, beta: 0, c: y + offset, ldc: P, bias: nil,
                                                     aInPlace: GEMM.readsAInPlace(transA: false, m: Og, n: columns, k: K, lda: K),
                                                     epilogue: tail, columnGroups: groups))
                        }
                        continue
                    }
                    let b = columnMatrix(p, x: x, images: start..<(start &+ n), group: group, scratch: col)
                    if n == 1 {
                        // One image through `sgemm` (training; with packed filters only when K == 0),
                        // which may split K for a batch-1 call.
                        let c = y + offset
                        if let bias { fillRows(c, rows: Og, width: P, values: bias + group &* Og) }
                        GEMM.sgemm(transA: false, transB: false, m: Og, n: P, k: K, alpha: 1, a: a, lda: K,
                                   b: b, ldb: P, beta: bias == nil ? 0 : 1, c: c, ldc: P)
                    } else {
                        if let packedFilters {
                            packedFilters[group].multiply(b, ldb: columns, columns: columns, beta: 0, into: product, ldc: columns)
                        } else {
                            GEMM.sgemm(transA: false, transB: false, m: Og, n: columns, k: K, alpha: 1, a: a, lda: K,
                                       b: b, ldb: columns, beta: 0, c: product, ldc: columns)
                        }
                        // Each image's columns into its output with the bias and the epilogue:
                        // one per-ISA pass (rows o of image i are product[o][i·P ..< (i+1)·P]).
                        for i in 0..<n {
                            let offset = (start &+ i) &* p.outImage &+ group &* Og &* P
                            for o in 0..<Og { scatter.rows[o] = product + (o &* columns &+ i &* P) }
                            let shift = bias.map { $0 + group &* Og } ?? UnsafePointer(scatter.zeros)
                            swiftnn_scale_shift_rows(scatter.planes, epilogue.residual.map { $0 + offset }, y + offset, 0,
                                                     Og, P, scatter.ones, shift, epilogue.relu ? 1 : 0)
                        }
                    }
                }
                if n == 1 && !epilogueInGEMM {
                    epilogue.apply(y, (start &* p.outImage)..<((start &+ n) &* p.outImage))
                }
                start &+= n
            }
        }
    }

    /// The tables that hand a folded product's rows to `swiftnn_scale_shift_rows`: one row
    /// pointer per output channel (stride 0: one image at a time), scales of 1, shifts of 0.
    private struct FoldedOutput {
        let rows: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
        let strides: UnsafeMutablePointer<Int>
        let ones: UnsafeMutablePointer<Float>, zeros: UnsafeMutablePointer<Float>
        let planes: swiftnn_planes

        init(rows count: Int) {
            rows = .allocate(capacity: count)
            strides = .allocate(capacity: count)
            strides.initialize(repeating: 0, count: count)
            ones = .allocate(capacity: 2 &* count)
            ones.initialize(repeating: 1, count: count)
            zeros = ones + count
            zeros.initialize(repeating: 0, count: count)
            planes = swiftnn_planes(base: UnsafePointer(rows), stride: strides, channels: count)
        }

        func free() {
            rows.deallocate()
            strides.deallocate()
            ones.deallocate()
        }
    }

    /// Gradients of `forward`: gx (overwritten), gWeight (overwritten), gBias (overwritten).
    package static func backward(_ p: ConvProblem, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         gy: UnsafePointer<Float>, gx: UnsafeMutablePointer<Float>?,
                         gWeight: UnsafeMutablePointer<Float>?, gBias: UnsafeMutablePointer<Float>?) {
        let g = p.geometry, K = g.patchSize, P = g.outputSize, Og = p.outPerGroup
        if let gBias { biasGradient(p, gy: gy, into: gBias) }
        guard gx != nil || gWeight != nil else { return }
        let fold = p.imagesPerGEMM
        let chunkCount = chunks(p)
        let weightCount = p.outChannels &* K
        // Each chunk accumulates its own weight gradient; they are summed at the end.
        let partials = gWeight == nil ? nil : Scratch(count: chunkCount &* weightCount, zeroed: true)
        defer { partials?.free() }
        if let gx { gx.initialize(repeating: 0, count: p.batch &* p.inImage) }
        // A pointwise convolution's column matrix is its input: the input gradient is written
        // straight into gx (each image's columns into its own gradient, `ColumnGroups`).
        let directGX = g.isPointwise && (fold == 1 || P % GEMMBlocking.nr == 0)

        forEachChunk(p) { chunk, images in
            let colCount = K &* fold &* P
            let scratch = Scratch(count: 2 &* colCount &+ (fold > 1 ? Og &* fold &* P : 0))
            defer { scratch.free() }
            let col = scratch.base, dcol = col + colCount, gathered = dcol + colCount
            let gwLocal = partials.map { $0.base + chunk &* weightCount }
            var start = images.lowerBound
            while start < images.upperBound {
                let n = min(fold, images.upperBound &- start)
                let columns = n &* P
                for group in 0..<p.groups {
                    // The output gradient of these images and this group as one [Og, columns] matrix.
                    let gyMatrix: UnsafePointer<Float>
                    if n == 1 {
                        gyMatrix = gy + (start &* p.outImage &+ group &* Og &* P)
                    } else {
                        for i in 0..<n {
                            let image = gy + ((start &+ i) &* p.outImage &+ group &* Og &* P)
                            for o in 0..<Og {
                                (gathered + (o &* columns &+ i &* P)).update(from: image + o &* P, count: P)
                            }
                        }
                        gyMatrix = UnsafePointer(gathered)
                    }
                    let a = weight + group &* Og &* K
                    if let gx {
                        let target = directGX ? gx + (start &* p.inImage &+ group &* p.inGroupStride) : dcol
                        if directGX && n > 1 {
                            GEMM.blocked(GEMMProblem(transA: true, transB: false, m: K, n: columns, k: Og, alpha: 1, a: a,
                                                     lda: K, b: gyMatrix, ldb: columns, beta: 0, c: target, ldc: P,
                                                     bias: nil, aInPlace: false,
                                                     columnGroups: ColumnGroups(width: P, bStride: nil, cStride: p.inImage)))
                        } else {
                            GEMM.sgemm(transA: true, transB: false, m: K, n: columns, k: Og, alpha: 1, a: a, lda: K,
                                       b: gyMatrix, ldb: columns, beta: 0, c: target, ldc: columns)
                        }
                        if !directGX {
                            for i in 0..<n {
                                let image = gx + ((start &+ i) &* p.inImage &+ group &* p.inGroupStride)
                                Im2Col.fold(dcol + i &* P, ldCol: columns, g, into: image)
                            }
                        }
                    }
                    if let gwLocal {
                        let b = columnMatrix(p, x: x, images: start..<(start &+ n), group: group, scratch: col)
                        GEMM.sgemm(transA: false, transB: true, m: Og, n: K, k: columns, alpha: 1,
                                   a: gyMatrix, lda: columns, b: b, ldb: columns,
                                   beta: 1, c: gwLocal + group &* Og &* K, ldc: K)
                    }
                }
                start &+= n
            }
        }
        if let gWeight, let partials {
            gWeight.update(from: partials.base, count: weightCount)
            for chunk in 1..<max(chunkCount, 1) {
                Elementwise.axpy(1, partials.base + chunk &* weightCount, gWeight, count: weightCount)
            }
        }
    }

    /// The [K, n·P] column matrix of `images` for one group: the input itself for a
    /// pointwise convolution of one image, else unfolded into `scratch`.
    private static func columnMatrix(_ p: ConvProblem, x: UnsafePointer<Float>, images: Range<Int>, group: Int,
                                     scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let g = p.geometry, P = g.outputSize
        if g.isPointwise && images.count == 1 {
            return x + (images.lowerBound &* p.inImage &+ group &* p.inGroupStride)
        }
        if images.count == 1 {
            // One image (batch-1 inference, where the GEMM is threaded too): its channels
            // unfold on every thread, each into its own rows of the column matrix.
            let source = x + (images.lowerBound &* p.inImage &+ group &* p.inGroupStride)
            let taps = g.kernelH &* g.kernelW
            ThreadPool.shared.parallelFor(g.channels, grain: max(1, (1 << 14) / max(1, taps &* P))) { channels in
                var part = g
                part.channels = channels.count
                Im2Col.unfold(source + channels.lowerBound &* g.imageSize, part,
                              into: scratch + channels.lowerBound &* taps &* P, ldCol: P)
            }
            return UnsafePointer(scratch)
        }
        for (i, image) in images.enumerated() {
            Im2Col.unfold(x + (image &* p.inImage &+ group &* p.inGroupStride), g,
                          into: scratch + i &* P, ldCol: images.count &* P)
        }
        return UnsafePointer(scratch)
    }

    /// gBias[o] = Σ gy[·][o][·]: eight-lane plane sums (a scalar float sum is one
    /// dependent add per element), channels split over the pool.
    private static func biasGradient(_ p: ConvProblem, gy: UnsafePointer<Float>, into gBias: UnsafeMutablePointer<Float>) {
        let P = p.geometry.outputSize
        ThreadPool.shared.parallelFor(p.outChannels, grain: max(1, (1 << 15) / max(1, p.batch &* P))) { channels in
            for o in channels {
                var total: Float = 0
                for n in 0..<p.batch {
                    total += NormKernels.shiftedSums(gy + (n &* p.outImage &+ o &* P), count: P, shift: 0).0
                }
                gBias[o] = total
            }
        }
    }

    private static func fillRows(_ c: UnsafeMutablePointer<Float>, rows: Int, width: Int, values: UnsafePointer<Float>) {
        for r in 0..<rows { (c + r &* width).initialize(repeating: values[r], count: width) }
    }
}
