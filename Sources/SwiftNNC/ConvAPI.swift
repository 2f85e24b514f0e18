import SwiftNN

// Convolution and pooling layers (their functional forms come from codegen/ops.toml).
// Pairs ({h, w}) are passed as pointers to two int64 values.

private func count(_ value: Int64, _ role: String) throws -> Int { try positive(Int(clamping: value), role) }

/// Layer output sizes: -1 keeps that input dimension (PyTorch's None).
private func adaptiveSize(_ values: UnsafePointer<Int64>?) throws -> (Int?, Int?) {
    guard let values else { throw SwiftNNError.invalidArgument("output_size pointer is null") }
    func one(_ v: Int64) throws -> Int? { v == -1 ? nil : try count(v, "output_size") }
    return (try one(values[0]), try one(values[1]))
}

@_cdecl("swiftnn_conv2d_new")
public func swiftnn_conv2d_new(_ inChannels: Int64, _ outChannels: Int64, _ kernel: UnsafePointer<Int64>?,
                               _ stride: UnsafePointer<Int64>?, _ padding: UnsafePointer<Int64>?, _ paddingMode: Int32,
                               _ dilation: UnsafePointer<Int64>?, _ groups: Int64, _ bias: Int32,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        try Conv2d(try count(inChannels, "in_channels"), try count(outChannels, "out_channels"),
                   kernelSize: try pairArg(kernel, "kernel_size"), stride: try pairArg(stride, "stride"),
                   padding: try convPaddingArg(padding, paddingMode, "padding"), dilation: try pairArg(dilation, "dilation"),
                   groups: try count(groups, "groups"), bias: bias != 0)
    }
}

@_cdecl("swiftnn_max_pool2d_new")
public func swiftnn_max_pool2d_new(_ kernel: UnsafePointer<Int64>?, _ stride: UnsafePointer<Int64>?,
                                   _ padding: UnsafePointer<Int64>?, _ dilation: UnsafePointer<Int64>?, _ ceilMode: Int32,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        try MaxPool2d(kernelSize: try pairArg(kernel, "kernel_size"), stride: try pairArg(stride, "stride"),
                      padding: try pairArg(padding, "padding"), dilation: try pairArg(dilation, "dilation"),
                      ceilMode: ceilMode != 0)
    }
}

@_cdecl("swiftnn_avg_pool2d_new")
public func swiftnn_avg_pool2d_new(_ kernel: UnsafePointer<Int64>?, _ stride: UnsafePointer<Int64>?,
                                   _ padding: UnsafePointer<Int64>?, _ ceilMode: Int32, _ countIncludePad: Int32,
                                   _ divisorOverride: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        try AvgPool2d(kernelSize: try pairArg(kernel, "kernel_size"), stride: try pairArg(stride, "stride"),
                      padding: try pairArg(padding, "padding"), ceilMode: ceilMode != 0,
                      countIncludePad: countIncludePad != 0,
                      divisorOverride: divisorOverride == 0 ? nil : try count(divisorOverride, "divisor_override"))
    }
}

@_cdecl("swiftnn_adaptive_avg_pool2d_new")
public func swiftnn_adaptive_avg_pool2d_new(_ outputSize: UnsafePointer<Int64>?,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try AdaptiveAvgPool2d(outputSize: try adaptiveSize(outputSize)) }
}

@_cdecl("swiftnn_adaptive_max_pool2d_new")
public func swiftnn_adaptive_max_pool2d_new(_ outputSize: UnsafePointer<Int64>?,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try AdaptiveMaxPool2d(outputSize: try adaptiveSize(outputSize)) }
}

