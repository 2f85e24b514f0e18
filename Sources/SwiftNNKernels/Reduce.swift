/// Reductions over an arbitrary set of dimensions. The output has the input's
/// rank with reduced dimensions of size 1 (keepdim form); its strides are 0
/// along the reduced dimensions, so one odometer pass folds every input row in.
package enum Reduce {
    @inline(__always)
    package static func fold(_ input: UnsafePointer<Float>, shape: [Int], reduced: [Bool],
                     _ out: UnsafeMutablePointer<Float>, initial: Float,
                     _ combine: (Float, Float) -> Float) {
        let outShape = zip(shape, reduced).map { $1 ? 1 : $0 }
        let outCount = outShape.reduce(1, *)
        out.initialize(repeating: initial, count: outCount)
        if shape.reduce(1, *) == 0 { return }
        let inStrides = Strides.contiguous(shape)
        let dense = Strides.contiguous(outShape)
        let outStrides = zip(dense, reduced).map { $1 ? 0 : $0 }
        let inner = shape.last ?? 1
        let innerReduced = reduced.last ?? true
        forEachRow(shape: shape, strides0: inStrides, strides1: outStrides, strides2: outStrides) { oi, oo, _ in
            let src = input + oi, dst = out + oo
            if innerReduced {
                var acc = dst[0]
                for j in 0..<inner { acc = combine(acc, src[j]) }
                dst[0] = acc
            } else {
                for j in 0..<inner { dst[j] = combine(dst[j], src[j]) }
            }
        }
    }

    /// Max over one dimension of a tensor viewed as [outer, size, inner]; writes
    /// values and the index of the first maximum (NaN counts as the maximum, as in PyTorch).
    package static func maxAlong(_ input: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
                         values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = input + (o &* size &* inner &+ i)
                var best = base[0], bestIndex = 0
                var k = 1
                while k < size && !best.isNaN {
                    let v = base[k &* inner]
                    if v > best || v.isNaN { best = v; bestIndex = k }
                    k &+= 1
                }
                values[o &* inner &+ i] = best
                indices[o &* inner &+ i] = bestIndex
            }
        }
    }
}
