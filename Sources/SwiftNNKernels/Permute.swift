/// Copies `input` (contiguous, shape `shape`) into `out` laid out as the
/// permutation `order` of its dimensions: out dim i is input dim order[i].
package func permuteCopy(_ input: UnsafePointer<Float>, shape: [Int], order: [Int], _ out: UnsafeMutablePointer<Float>) {
    let inStrides = Strides.contiguous(shape)
    let outShape = order.map { shape[$0] }
    // Read the input through permuted strides while writing the output densely.
    let readStrides = order.map { inStrides[$0] }
    let writeStrides = Strides.contiguous(outShape)
    if outShape.reduce(1, *) == 0 { return }
    let rank = shape.count
    if rank >= 2 && order == Array(0..<(rank - 2)) + [rank - 1, rank - 2] {
        BatchedTranspose.run(input, out, batch: shape.dropLast(2).reduce(1, *), rows: shape[rank - 2], cols: shape[rank - 1])
        return
    }
    let inner = outShape.last ?? 1
    let innerStride = readStrides.last ?? 1
    forEachRow(shape: outShape, strides0: readStrides, strides1: writeStrides, strides2: writeStrides) { r, w, _ in
        let src = input + r, dst = out + w
        if innerStride == 1 {
            dst.update(from: src, count: inner)
        } else {
            for j in 0..<inner { dst[j] = src[j &* innerStride] }
        }
    }
}
