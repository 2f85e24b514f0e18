/// Row-major strides for the kernels that walk shaped data (copies, broadcasts, reductions).
package enum Strides {
    /// Row-major strides of a contiguous array of `shape`.
    package static func contiguous(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { strides[i] = s; s *= shape[i] }
        return strides
    }

    /// Row-major strides, with stride 0 wherever `shape` is broadcast up to `target`
    /// (shape right-aligned against target).
    package static func broadcast(_ shape: [Int], to target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        let offset = target.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 && target[i + offset] != 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }
}
