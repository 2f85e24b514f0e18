/// Layer norm over rows of `width`, eight lanes at a time and split over the
/// thread pool (MLP-Mixer normalizes 8192 rows of 128 per call). Statistics are
/// two-pass in float: the mean first, then Σ(x − mean)², which cannot cancel.
/// A missing weight or bias acts as ones or zeros.
extension NormKernels {
    package typealias V = SIMD8<Float>

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
    }

    @inline(__always)
    private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }

    /// `pointer`, or a buffer of `width` copies of `fill` made for this call (for nil weight or bias).
    private static func withVector<R>(_ pointer: UnsafePointer<Float>?, fill: Float, width: Int,
                                      _ body: (UnsafePointer<Float>) -> R) -> R {
        if let pointer { return body(pointer) }
        let filled = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, width))
        defer { filled.deallocate() }
        filled.initialize(repeating: fill, count: width)
        return body(filled)
    }

    /// Σ p[i] and then Σ (p[i] − mean)² over one row.
    @inline(__always)
    private static func rowMoments(_ p: UnsafePointer<Float>, width: Int) -> (mean: Float, variance: Float) {
        var s = V(), i = 0
        while i &+ 8 <= width { s += load(p, i); i &+= 8 }
        var total = s.sum()
        while i < width { total += p[i]; i &+= 1 }
        let mean = total / Float(width)
        var s2 = V()
        i = 0
        let m = V(repeating: mean)
        while i &+ 8 <= width { let d = load(p, i) - m; s2.accumulateProduct(d, d); i &+= 8 }
        var squares = s2.sum()
        while i < width { let d = p[i] - mean; squares += d * d; i &+= 1 }
        return (mean, squares / Float(width))
    }

    /// y = x̂·w + b per row; saves each row's mean and invstd.
    package static func rowForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float,
                           weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                           mean: UnsafeMutablePointer<Float>, invstd: UnsafeMutablePointer<Float>) {
        withVector(weight, fill: 1, width: width) { w in
            withVector(bias, fill: 0, width: width) { b in
                ThreadPool.shared.parallelFor(rows, grain: Swift.max(1, grain / Swift.max(1, width))) { range in
                    for r in range {
                        let p = x + r &* width, q = y + r &* width
                        let (m, variance) = rowMoments(p, width: width)
                        let istd = 1 / (variance + eps).squareRoot()
                        mean[r] = m; invstd[r] = istd
                        let mv = V(repeating: m), sv = V(repeating: istd)
                        var i = 0
                        while i &+ 8 <= width {
                            store(load(b, i).plusProduct((load(p, i) - mv) * sv, load(w, i)), q, i)
                            i &+= 8
                        }
                        while i < width { q[i] = (p[i] - m) * istd * w[i] + b[i]; i &+= 1 }
                    }
                }
            }
        }
    }

    /// Input gradient: with h = g·w, dx = invstd·(h − mean(h) − x̂·mean(h·x̂)).
    package static func rowBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                            rows: Int, width: Int, weight: UnsafePointer<Float>?,
                            mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>) {
        withVector(weight, fill: 1, width: width) { w in
            ThreadPool.shared.parallelFor(rows, grain: Swift.max(1, grain / Swift.max(1, width))) { range in
                for r in range {
                    let pg = g + r &* width, px = x + r &* width, pd = dx + r &* width
                    let m = mean[r], istd = invstd[r]
                    let mv = V(repeating: m), sv = V(repeating: istd)
                    var sh = V(), shx = V(), i = 0
                    while i &+ 8 <= width {
                        let h = load(pg, i) * load(w, i)
                        sh += h
                        shx.accumulateProduct(h, (load(px, i) - mv) * sv)
                        i &+= 8
                    }
                    var sumH = sh.sum(), sumHX = shx.sum()
                    while i < width { let h = pg[i] * w[i]; sumH += h; sumHX += h * (px[i] - m) * istd; i &+= 1 }
                    let mh = sumH / Float(width), mhx = sumHX / Float(width)
                    let mhv = V(repeating: mh), mhxv = V(repeating: mhx)
                    i = 0
                    while i &+ 8 <= width {
                        let h = load(pg, i) * load(w, i)
                        let xhat = (load(px, i) - mv) * sv
                        store(sv * (h - mhv - xhat * mhxv), pd, i)
                        i &+= 8
                    }
                    while i < width { pd[i] = istd * (pg[i] * w[i] - mh - (px[i] - m) * istd * mhx); i &+= 1 }
                }
            }
        }
    }

    /// Σ over rows of g·x̂ (into dw) and of g (into db), per column: each thread sums
    /// its band of rows into its own pair of rows, added together at the end.
    package static func rowParamGrads(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, width: Int,
                              mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
                              dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        if dw == nil && db == nil { return }
        let bands = Swift.max(1, Swift.min(ThreadPool.shared.threadCount, rows &* width / grain))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: bands &* 2 &* width)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: bands &* 2 &* width)
        ThreadPool.shared.parallelFor(bands) { range in
            for band in range {
                let sw = partial + band &* 2 &* width, sb = sw + width
                for r in (rows &* band / bands)..<(rows &* (band &+ 1) / bands) {
                    let pg = g + r &* width, px = x + r &* width
                    let m = mean[r], istd = invstd[r]
                    let mv = V(repeating: m), sv = V(repeating: istd)
                    var i = 0
                    while i &+ 8 <= width {
                        let gv = load(pg, i)
                        store(load(sw, i).plusProduct(gv, (load(px, i) - mv) * sv), sw, i)
                        store(load(sb, i) + gv, sb, i)
                        i &+= 8
                    }
                    while i < width { sw[i] += pg[i] * (px[i] - m) * istd; sb[i] += pg[i]; i &+= 1 }
                }
            }
        }
        for band in 1..<bands {
            let sw = partial + band &* 2 &* width
            for i in 0..<(2 &* width) { partial[i] += sw[i] }
        }
        dw?.update(from: partial, count: width)
        db?.update(from: partial + width, count: width)
    }
}
