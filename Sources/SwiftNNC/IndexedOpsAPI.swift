import SwiftNN

// Ops whose results the op table cannot describe: index buffers the caller
// sizes (max over a dim, max pooling) and several tensors at once (split).

/// Copies `values` into the caller's `indices` buffer of `capacity` elements (may be null when empty).
private func writeIndices<T: BinaryInteger>(_ values: [T], _ indices: UnsafeMutablePointer<Int64>?,
                                            _ capacity: Int64) throws {
    guard capacity >= values.count else {
        throw SwiftNNError.invalidArgument("indices buffer holds \(capacity) elements but \(values.count) are needed")
    }
    if values.isEmpty { return }
    guard let indices else { throw SwiftNNError.invalidArgument("indices pointer is null") }
    for (i, v) in values.enumerated() { indices[i] = Int64(v) }
}

@_cdecl("swiftnn_max_dim")
public func swiftnn_max_dim(_ x: OpaquePointer?, _ dim: Int64, _ keepdim: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?,
                            _ indices: UnsafeMutablePointer<Int64>?, _ capacity: Int64) -> Int32 {
    returningHandle(values) {
        let result = try tensorArg(x, "input").max(dim: Int(dim), keepDim: keepdim != 0)
        try writeIndices(result.indices, indices, capacity)
        return result.values
    }
}

/// `indices` (may be null) receives flat H·W positions of the maxima; it must hold
/// as many elements as the output.
@_cdecl("swiftnn_max_pool2d")
public func swiftnn_max_pool2d(_ x: OpaquePointer?, _ kernel: UnsafePointer<Int64>?, _ stride: UnsafePointer<Int64>?,
                               _ padding: UnsafePointer<Int64>?, _ dilation: UnsafePointer<Int64>?, _ ceilMode: Int32,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?,
                               _ indices: UnsafeMutablePointer<Int64>?, _ capacity: Int64) -> Int32 {
    returningHandle(out) {
        let result = try tensorArg(x, "input").maxPool2dWithIndices(
            kernel: try pairArg(kernel, "kernel_size"), stride: try pairArg(stride, "stride"),
            padding: try pairArg(padding, "padding"), dilation: try pairArg(dilation, "dilation"), ceilMode: ceilMode != 0)
        if indices != nil { try writeIndices(result.indices, indices, capacity) }
        return result.values
    }
}

@_cdecl("swiftnn_split")
public func swiftnn_split(_ x: OpaquePointer?, _ sizes: UnsafePointer<Int64>?, _ n: Int64, _ dim: Int64,
                          _ outs: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let x = try tensorArg(x, "input")
        guard n >= 1 && n <= Int64(Int32.max) else {
            throw SwiftNNError.invalidArgument("number of pieces must be between 1 and \(Int32.max), got \(n)")
        }
        guard let sizes, let outs else { throw SwiftNNError.invalidArgument("split: sizes or output array is null") }
        let pieces = try x.split(sizes: (0..<Int(n)).map { Int(clamping: sizes[$0]) }, dim: Int(dim))
        for (i, piece) in pieces.enumerated() { outs[i] = retained(piece) }
    }
}
