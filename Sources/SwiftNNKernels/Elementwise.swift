/// Raw elementwise loops. Closures are inlined into each caller so every op
/// compiles to its own vectorised loop.
package enum Elementwise {
    /// out[i] = f(a[i]) over `count` elements.
    @inline(__always)
    package static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
                    _ f: (Float) -> Float) {
        for i in 0..<count { out[i] = f(a[i]) }
    }

    /// out[i] = f(a[i], b[i]) over `count` elements.
    @inline(__always)
    package static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    count: Int, _ f: (Float, Float) -> Float) {
        for i in 0..<count { out[i] = f(a[i], b[i]) }
    }

    /// Elements per thread below which splitting costs more than it saves.
    package static let expensiveGrain = 1 << 14

    /// `map` for costly functions (erf, exp, tanh), split over the thread pool. Not for
    /// cheap ones: `f` is then called through a closure context, which blocks vectorisation.
    package static func parallelMap(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
                            _ f: (Float) -> Float) {
        ThreadPool.shared.parallelFor(count, grain: expensiveGrain) { range in
            for i in range { out[i] = f(a[i]) }
        }
    }

    /// `zip` for costly functions, split over the thread pool.
    package static func parallelZip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            count: Int, _ f: (Float, Float) -> Float) {
        ThreadPool.shared.parallelFor(count, grain: expensiveGrain) { range in
            for i in range { out[i] = f(a[i], b[i]) }
        }
    }

    /// out = f(a, b) with a and b broadcast to `shape` (their strides are 0 on
    /// broadcast dimensions). Same-shape and scalar operands take flat loops.
    @inline(__always)
    package static func broadcast(_ a: UnsafePointer<Float>, aShape: [Int], _ b: UnsafePointer<Float>, bShape: [Int],
                          _ out: UnsafeMutablePointer<Float>, shape: [Int], _ f: (Float, Float) -> Float) {
        let count = shape.reduce(1, *)
        let aCount = aShape.reduce(1, *), bCount = bShape.reduce(1, *)
        if aCount == count && bCount == count {
            zip(a, b, out, count: count, f)
        } else if bCount == 1 && aCount == count {
            let s = b[0]
            for i in 0..<count { out[i] = f(a[i], s) }
        } else if aCount == 1 && bCount == count {
            let s = a[0]
            for i in 0..<count { out[i] = f(s, b[i]) }
        } else {
            // Merged dimensions make the rows long: [N, C, 1, 1]·[N, C, H, W] runs as
            // [N·C, 1]·[N·C, H·W], one row of H·W per channel.
            let (shape, sa, sb, so) = coalesce(shape, Strides.broadcast(aShape, to: shape),
                                               Strides.broadcast(bShape, to: shape), Strides.contiguous(shape))
            let inner = shape.last ?? 1
            let ia = sa.last ?? 0, ib = sb.last ?? 0
            forEachRow(shape: shape, strides0: sa, strides1: sb, strides2: so) { oa, ob, oo in
                let pa = a + oa, pb = b + ob, po = out + oo
                if ia == 1 && ib == 1 {
                    for j in 0..<inner { po[j] = f(pa[j], pb[j]) }
                } else if ia == 1 {
                    let s = pb[0]
                    for j in 0..<inner { po[j] = f(pa[j], s) }
                } else if ib == 1 {
                    let s = pa[0]
                    for j in 0..<inner { po[j] = f(s, pb[j]) }
                } else {
                    let v = f(pa[0], pb[0])
                    for j in 0..<inner { po[j] = v }
                }
            }
        }
    }

    /// y += alpha * x.
    @inline(__always)
    package static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    /// Merges each dimension into the next inner one wherever all three operands
    /// step through both as through one (stride[d] == stride[d+1]·shape[d+1]),
    /// and drops size-1 dimensions; the elements visited stay the same.
    package static func coalesce(_ shape: [Int], _ s0: [Int], _ s1: [Int], _ s2: [Int]) -> ([Int], [Int], [Int], [Int]) {
        var shapeOut: [Int] = [], a: [Int] = [], b: [Int] = [], c: [Int] = []
        for d in shape.indices where shape[d] != 1 {
            if let n = shapeOut.last, a.last! == s0[d] &* shape[d], b.last! == s1[d] &* shape[d], c.last! == s2[d] &* shape[d] {
                shapeOut[shapeOut.count - 1] = n &* shape[d]
                a[a.count - 1] = s0[d]; b[b.count - 1] = s1[d]; c[c.count - 1] = s2[d]
            } else {
                shapeOut.append(shape[d]); a.append(s0[d]); b.append(s1[d]); c.append(s2[d])
            }
        }
        if shapeOut.isEmpty { return ([1], [0], [0], [0]) }
        return (shapeOut, a, b, c)
    }
}
