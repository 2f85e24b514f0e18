import SwiftNNMicroKernels

extension Pointwise {
    /// out = op(a, b) with a and b broadcast to `shape` (row-major, `out` contiguous);
    /// op is add, sub, mul or div.
    /// Equal shapes and scalars run flat; otherwise the shape is coalesced
    /// (`Elementwise.coalesce`) into rows, each row a vector loop against either a
    /// row or one element of each operand, the rows split over the thread pool.
    package static func broadcast(_ op: ZipOp, _ a: UnsafePointer<Float>, aShape: [Int], _ b: UnsafePointer<Float>,
                                  bShape: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        let count = shape.reduce(1, *)
        let aCount = aShape.reduce(1, *), bCount = bShape.reduce(1, *)
        if count == 0 { return }
        if aCount == count && bCount == count { return zip(op, a, b, out, count: count) }
        if aCount == count && bCount == 1 { return zip(op, a, scalar: b[0], out, count: count) }
        if aCount == 1 && bCount == count { return zip(op, b, scalar: a[0], scalarFirst: true, out, count: count) }
        let (dims, sa, sb, _) = Elementwise.coalesce(shape, Strides.broadcast(aShape, to: shape),
                                                     Strides.broadcast(bShape, to: shape), Strides.contiguous(shape))
        // The innermost kept dimension steps each operand by 1 (a row) or 0 (one element).
        let inner = dims[dims.count - 1], rowA = sa[sa.count - 1] != 0, rowB = sb[sb.count - 1] != 0
        let outer = Array(dims.dropLast()), rows = outer.reduce(1, *)
        let code = op.code
        ThreadPool.shared.parallelFor(rows, grain: Swift.max(1, grain / inner)) { range in
            for r in range {
                var rest = r, oa = 0, ob = 0
                for d in stride(from: outer.count - 1, through: 0, by: -1) {
                    let i = rest % outer[d]
                    rest /= outer[d]
                    oa &+= i &* sa[d]
                    ob &+= i &* sb[d]
                }
                let row = out + r &* inner
                switch (rowA, rowB) {
                case (true, true): swiftnn_zip(code, a + oa, b + ob, row, inner)
                case (true, false): swiftnn_zip_scalar(code, a + oa, b[ob], 0, row, inner)
                case (false, true): swiftnn_zip_scalar(code, b + ob, a[oa], 1, row, inner)
                case (false, false): row.initialize(repeating: op(a[oa], b[ob]), count: inner)
                }
            }
        }
    }
}
