/// Copies an n-dimensional box between two row-major arrays: the elements
/// `srcStart[d] ..< srcStart[d] + extent[d]` of `src` go to
/// `dstStart[d] ..< dstStart[d] + extent[d]` of `dst`. cat, narrow/split and
/// pad (and their backward passes) are all such copies.
package enum BoxCopy {
    package static func copy(_ src: UnsafePointer<Float>, shape srcShape: [Int], start srcStart: [Int],
                     _ dst: UnsafeMutablePointer<Float>, shape dstShape: [Int], start dstStart: [Int],
                     extent: [Int]) {
        let rank = extent.count
        if extent.contains(0) { return }
        if rank == 0 { dst[0] = src[0]; return }
        let ss = Strides.contiguous(srcShape), ds = Strides.contiguous(dstShape)
        var srcBase = 0, dstBase = 0
        for d in 0..<rank {
            srcBase &+= srcStart[d] &* ss[d]
            dstBase &+= dstStart[d] &* ds[d]
        }
        let inner = extent[rank - 1]
        let s = src + srcBase, t = dst + dstBase
        forEachRow(shape: extent, strides0: ss, strides1: ds, strides2: ss) { os, od, _ in
            (t + od).update(from: s + os, count: inner)
        }
    }
}
