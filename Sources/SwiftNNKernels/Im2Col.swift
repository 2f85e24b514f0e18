import SwiftNNMicroKernels

/// The geometry of one 2-D sliding-window operation (convolution or pooling)
/// over a [channels, height, width] image. Padding may be asymmetric
/// (`padding='same'` with an even kernel pads one more on the bottom/right).
public struct WindowGeometry: Equatable {
    public var channels: Int
    public var height: Int, width: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padTop: Int, padLeft: Int
    public var dilationH: Int, dilationW: Int
    public var outH: Int, outW: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int, strideW: Int, padTop: Int, padLeft: Int,
                dilationH: Int, dilationW: Int, outH: Int, outW: Int) {
        self.channels = channels
        self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW
        self.padTop = padTop; self.padLeft = padLeft
        self.dilationH = dilationH; self.dilationW = dilationW
        self.outH = outH; self.outW = outW
    }

    public var imageSize: Int { height &* width }
    public var outputSize: Int { outH &* outW }
    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    public var patchSize: Int { channels &* kernelH &* kernelW }

    /// A 1×1, stride-1, unpadded window reads the image as its own column matrix.
    public var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
            && outH == height && outW == width
    }

    /// The output columns `ow` whose input column `ow·stride − padLeft + kx·dilation`
    /// falls inside the image, for kernel column `kx`.
    @inline(__always)
    package func validColumns(kx: Int) -> Range<Int> {
        validRange(offset: kx &* dilationW &- padLeft, stride: strideW, extent: width, count: outW)
    }

    @inline(__always)
    package func validRows(ky: Int) -> Range<Int> {
        validRange(offset: ky &* dilationH &- padTop, stride: strideH, extent: height, count: outH)
    }

    /// The o in 0..<count with 0 ≤ o·stride + offset < extent.
    @inline(__always)
    private func validRange(offset: Int, stride: Int, extent: Int, count: Int) -> Range<Int> {
        // lower = ceil(−offset / stride), upper = ceil((extent − offset) / stride), clamped.
        let lower = offset >= 0 ? 0 : (-offset &+ stride &- 1) / stride
        let upperRaw = extent &- offset <= 0 ? 0 : (extent &- offset &+ stride &- 1) / stride
        let upper = min(count, upperRaw)
        return lower < upper ? lower..<upper : 0..<0
    }
}

/// Unfolds an image into the column matrix a convolution multiplies by its
/// weights, and folds column gradients back (the transpose).
package enum Im2Col {
    /// One row of the column matrix: channel plane offset, kernel tap, and the output
    /// rows and columns whose input pixel lies inside the image.
    package struct Tap {
        package let row: Int, planeOffset: Int, ky: Int
        package let rows: Range<Int>, cols: Range<Int>
        /// The input column of output column ox is ox·strideW + xOffset.
        package let xOffset: Int
    }

    /// Calls `body` for every (channel, ky, kx) in column-matrix row order.
    @inline(__always)
    package static func forEachTap(_ g: WindowGeometry, _ body: (Tap) -> Void) {
        var row = 0
        for c in 0..<g.channels {
            for ky in 0..<g.kernelH {
                let rows = g.validRows(ky: ky)
                for kx in 0..<g.kernelW {
                    body(Tap(row: row, planeOffset: c &* g.imageSize, ky: ky, rows: rows, cols: g.validColumns(kx: kx),
                             xOffset: kx &* g.dilationW &- g.padLeft))
                    row &+= 1
                }
            }
        }
    }

    /// The first input pixel of output row `oy` for a tap's kernel row.
    @inline(__always)
    package static func inputRow(_ g: WindowGeometry, _ tap: Tap, _ oy: Int) -> Int {
        tap.planeOffset &+ (oy &* g.strideH &+ tap.ky &* g.dilationH &- g.padTop) &* g.width
    }

    /// col[(c·kh + ky)·kw + kx][oy·outW + ox] = image[c][oy·s − pad + ky·d][ox·s − pad + kx·d], or 0
    /// outside the image. `ldCol` is the row stride of `col`, so several images
    /// can share one column matrix side by side.
    package static func unfold(_ image: UnsafePointer<Float>, _ g: WindowGeometry,
                       into col: UnsafeMutablePointer<Float>, ldCol: Int) {
        if g.isPointwise {
            // Each channel's plane is one row: copied whole, not an output row (often 4–16 floats) at a time.
            for c in 0..<g.channels { (col + c &* ldCol).update(from: image + c &* g.imageSize, count: g.imageSize) }
            return
        }
        let outW = g.outW, sw = g.strideW
        forEachTap(g) { tap in
            let plane = col + tap.row &* ldCol
            let rows = tap.cols.isEmpty ? 0..<0 : tap.rows, cols = tap.cols
            // Zeros where the window lies in the padding; plain loops, as rows are often only
            // 2–32 floats long, where a library call costs more than the work.
            for oy in 0..<g.outH where !rows.contains(oy) {
                let out = plane + oy &* outW
                for ox in 0..<outW { out[ox] = 0 }
            }
            guard !rows.isEmpty else { return }
            for oy in rows {
                let out = plane + oy &* outW
                for ox in 0..<cols.lowerBound { out[ox] = 0 }
                for ox in cols.upperBound..<outW { out[ox] = 0 }
            }
            // The pixels inside the image: one per-ISA call per tap (stride 2 deinterleaves
            // with vector shuffles).
            swiftnn_gather_rows(image + (inputRow(g, tap, rows.lowerBound) &+ cols.lowerBound &* sw &+ tap.xOffset),
                                g.strideH &* g.width, sw, rows.count, cols.count,
                                plane + (rows.lowerBound &* outW &+ cols.lowerBound), outW)
        }
    }

    /// image += fold(col): every column entry is added back to the pixel it was read from.
    package static func fold(_ col: UnsafePointer<Float>, ldCol: Int, _ g: WindowGeometry,
                     into image: UnsafeMutablePointer<Float>) {
        let outW = g.outW, sw = g.strideW
        forEachTap(g) { tap in
            guard !tap.cols.isEmpty else { return }
            for oy in tap.rows {
                let dst = image + inputRow(g, tap, oy)
                let line = col + (tap.row &* ldCol &+ oy &* outW)
                if sw == 1 {
                    let d = dst + tap.xOffset
                    for ox in tap.cols { d[ox] += line[ox] }
                } else {
                    for ox in tap.cols { dst[ox &* sw &+ tap.xOffset] += line[ox] }
                }
            }
        }
    }
}
