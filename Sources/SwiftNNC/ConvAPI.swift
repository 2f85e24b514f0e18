import SwiftNN

// Convolution and pooling ops, and the thread count.
// Pairs ({h, w}) are passed as pointers to two int64 values.

/// padding_mode of include/swiftnn.h: 0 explicit (uses the padding pair), 1 'valid', 2 'same'.
private func convPadding(_ mode: Int32, _ padding: UnsafePointer<Int64>?) throws -> ConvPadding {
    switch mode {
    case 0:
        let p = try pairArg(padding, "padding")
        return .explicit(p.h, p.w)
    case 1: return .valid
    case 2: return .same
    default: throw SwiftNNError.invalidArgument("padding_mode must be 0 (explicit), 1 (valid) or 2 (same), got \(mode)")
    }
}

private func count(_ value: Int64, _ role: String) throws -> Int {
    guard value > 0 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) must be a positive integer, got \(value)")
    }
    return Int(value)
}

/// Adaptive output sizes: -1 keeps that input dimension (PyTorch's None).
private func adaptiveSize(_ values: UnsafePointer<Int64>?) throws -> (Int?, Int?) {
    guard let values else { throw SwiftNNError.invalidArgument("output_size pointer is null") }
    func one(_ v: Int64) throws -> Int? {
        if v == -1 { return nil }
        return try count(v, "output_size")
    }
    return (try one(values[0]), try one(values[1]))
}

@_cdecl("swiftnn_conv2d")
public func swiftnn_conv2d(_ x: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?,
                           _ stride: UnsafePointer<Int64>?, _ padding: UnsafePointer<Int64>?, _ paddingMode: Int32,
                           _ dilation: UnsafePointer<Int64>?, _ groups: Int64,
                           _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        try tensorArg(x, "input").conv2d(
            weight: try tensorArg(weight, "weight"), bias: try bias.map { try tensorArg($0, "bias") },
            stride: try pairArg(stride, "stride"), padding: try convPadding(paddingMode, padding),
            dilation: try pairArg(dilation, "dilation"), groups: try count(groups, "groups"))
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
        if let indices {
            guard capacity >= result.indices.count else {
                throw SwiftNNError.invalidArgument("indices buffer holds \(capacity) elements but \(result.indices.count) are needed")
            }
            for (i, v) in result.indices.enumerated() { indices[i] = Int64(v) }
        }
        return result.values
    }
}

@_cdecl("swiftnn_avg_pool2d")
public func swiftnn_avg_pool2d(_ x: OpaquePointer?, _ kernel: UnsafePointer<Int64>?, _ stride: UnsafePointer<Int64>?,
                               _ padding: UnsafePointer<Int64>?, _ ceilMode: Int32, _ countIncludePad: Int32,
                               _ divisorOverride: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        try tensorArg(x, "input").avgPool2d(
            kernel: try pairArg(kernel, "kernel_size"), stride: try pairArg(stride, "stride"),
            padding: try pairArg(padding, "padding"), ceilMode: ceilMode != 0, countIncludePad: countIncludePad != 0,
            divisorOverride: divisorOverride == 0 ? nil : try count(divisorOverride, "divisor_override"))
    }
}

@_cdecl("swiftnn_adaptive_avg_pool2d")
public func swiftnn_adaptive_avg_pool2d(_ x: OpaquePointer?, _ outputSize: UnsafePointer<Int64>?,
                                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try tensorArg(x, "input").adaptiveAvgPool2d(outputSize: try adaptiveSize(outputSize)) }
}

@_cdecl("swiftnn_adaptive_max_pool2d")
public func swiftnn_adaptive_max_pool2d(_ x: OpaquePointer?, _ outputSize: UnsafePointer<Int64>?,
                                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try tensorArg(x, "input").adaptiveMaxPool2d(outputSize: try adaptiveSize(outputSize)) }
}

@_cdecl("swiftnn_set_num_threads")
public func swiftnn_set_num_threads(_ threads: Int64) -> Int32 {
    guarded { ThreadPool.shared.setThreadCount(try count(threads, "number of threads")) }
}

@_cdecl("swiftnn_get_num_threads")
public func swiftnn_get_num_threads(_ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(ThreadPool.shared.threadCount)
    }
}
