/// Walks every position of `shape` except the last dimension, tracking the
/// linear offsets of up to three operands with their own strides. The callback
/// gets the offsets of the start of each innermost row, so inner loops stay
/// simple pointer loops.
@inline(__always)
package func forEachRow(shape: [Int], strides0: [Int], strides1: [Int], strides2: [Int],
                _ body: (_ o0: Int, _ o1: Int, _ o2: Int) -> Void) {
    let rank = shape.count
    if rank <= 1 { body(0, 0, 0); return }
    var index = [Int](repeating: 0, count: rank - 1)
    var o0 = 0, o1 = 0, o2 = 0
    let rows = shape[0..<(rank - 1)].reduce(1, *)
    if rows == 0 { return }
    for _ in 0..<rows {
        body(o0, o1, o2)
        var d = rank - 2
        while d >= 0 {
            index[d] &+= 1
            o0 &+= strides0[d]; o1 &+= strides1[d]; o2 &+= strides2[d]
            if index[d] < shape[d] { break }
            o0 &-= strides0[d] &* shape[d]; o1 &-= strides1[d] &* shape[d]; o2 &-= strides2[d] &* shape[d]
            index[d] = 0
            d -= 1
        }
    }
}
