import SwiftNN

// Normalization, activation, join/split/pad ops; in-place init.

/// Runs `make` and hands its result (tensor or module) to the caller through `out`.
private func produce(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ make: () throws -> AnyObject) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try make())
    }
}

private func optionalTensor(_ handle: OpaquePointer?, _ role: String) throws -> Tensor? {
    handle == nil ? nil : try tensorArg(handle, role)
}

private func count(_ value: Int64, _ role: String, min: Int64 = 0) throws -> Int {
    guard value >= min && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) must be between \(min) and \(Int32.max), got \(value)")
    }
    return Int(value)
}

/// `n` tensor handles from a C array.
private func tensorList(_ handles: UnsafePointer<OpaquePointer?>?, _ n: Int64) throws -> [Tensor] {
    let n = try count(n, "number of tensors")
    if n == 0 { return [] }  // the op itself reports the empty list
    guard let handles else { throw SwiftNNError.invalidArgument("tensor array is null") }
    return try (0..<n).map { try tensorArg(handles[$0], "tensor \($0)") }
}

private func approximation(_ tanh: Int32) -> String { tanh != 0 ? "tanh" : "none" }

// MARK: Ops

@_cdecl("swiftnn_batch_norm")
public func swiftnn_batch_norm(_ x: OpaquePointer?, _ runningMean: OpaquePointer?, _ runningVar: OpaquePointer?,
                               _ weight: OpaquePointer?, _ bias: OpaquePointer?, _ training: Int32, _ momentum: Float,
                               _ eps: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) {
        try tensorArg(x, "input").batchNorm(
            runningMean: try optionalTensor(runningMean, "running_mean"), runningVar: try optionalTensor(runningVar, "running_var"),
            weight: try optionalTensor(weight, "weight"), bias: try optionalTensor(bias, "bias"),
            training: training != 0, momentum: momentum, eps: eps)
    }
}

@_cdecl("swiftnn_layer_norm")
public func swiftnn_layer_norm(_ x: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32, _ weight: OpaquePointer?,
                               _ bias: OpaquePointer?, _ eps: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) {
        try tensorArg(x, "input").layerNorm(normalizedShape: try shapeArg(shape, ndim), weight: try optionalTensor(weight, "weight"),
                                            bias: try optionalTensor(bias, "bias"), eps: eps)
    }
}

@_cdecl("swiftnn_local_response_norm")
public func swiftnn_local_response_norm(_ x: OpaquePointer?, _ size: Int64, _ alpha: Float, _ beta: Float, _ k: Float,
                                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) {
        try tensorArg(x, "input").localResponseNorm(size: try count(size, "size", min: 1), alpha: alpha, beta: beta, k: k)
    }
}

@_cdecl("swiftnn_leaky_relu")
public func swiftnn_leaky_relu(_ x: OpaquePointer?, _ slope: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try tensorArg(x, "input").leakyRelu(negativeSlope: slope) }
}

@_cdecl("swiftnn_gelu")
public func swiftnn_gelu(_ x: OpaquePointer?, _ tanh: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try tensorArg(x, "input").gelu(approximate: approximation(tanh)) }
}

@_cdecl("swiftnn_silu")
public func swiftnn_silu(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try tensorArg(x, "input").silu() }
}

@_cdecl("swiftnn_dropout2d")
public func swiftnn_dropout2d(_ x: OpaquePointer?, _ p: Float, _ training: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try tensorArg(x, "input").dropout2d(p: p, training: training != 0) }
}

@_cdecl("swiftnn_cat")
public func swiftnn_cat(_ tensors: UnsafePointer<OpaquePointer?>?, _ n: Int64, _ dim: Int64,
                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try Tensor.cat(try tensorList(tensors, n), dim: Int(dim)) }
}

@_cdecl("swiftnn_stack")
public func swiftnn_stack(_ tensors: UnsafePointer<OpaquePointer?>?, _ n: Int64, _ dim: Int64,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try Tensor.stack(try tensorList(tensors, n), dim: Int(dim)) }
}

@_cdecl("swiftnn_split")
public func swiftnn_split(_ x: OpaquePointer?, _ sizes: UnsafePointer<Int64>?, _ n: Int64, _ dim: Int64,
                          _ outs: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let x = try tensorArg(x, "input")
        let n = try count(n, "number of pieces", min: 1)
        guard let sizes, let outs else { throw SwiftNNError.invalidArgument("split: sizes or output array is null") }
        let pieces = try x.split(sizes: (0..<n).map { Int(clamping: sizes[$0]) }, dim: Int(dim))
        for (i, piece) in pieces.enumerated() { outs[i] = retained(piece) }
    }
}

@_cdecl("swiftnn_pad")
public func swiftnn_pad(_ x: OpaquePointer?, _ pad: UnsafePointer<Int64>?, _ n: Int32, _ value: Float,
                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) {
        let pads = try dimsArg(pad, n) ?? []
        return try tensorArg(x, "input").pad(pads.map { Swift.max(-(1 << 40), Swift.min(1 << 40, $0)) }, value: value)
    }
}

@_cdecl("swiftnn_amin")
public func swiftnn_amin(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ ndims: Int32, _ keepdim: Int32,
                         _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    produce(out) { try tensorArg(x, "input").amin(dims: try dimsArg(dims, ndims), keepDim: keepdim != 0) }
}

@_cdecl("swiftnn_init_uniform")
public func swiftnn_init_uniform(_ t: OpaquePointer?, _ low: Float, _ high: Float) -> Int32 {
    guarded {
        guard low.isFinite && high.isFinite && low <= high else {
            throw SwiftNNError.invalidArgument("uniform_ expects finite bounds with from <= to, got from=\(low), to=\(high)")
        }
        Init.uniform(try tensorArg(t), low: low, high: high)
    }
}

@_cdecl("swiftnn_init_normal")
public func swiftnn_init_normal(_ t: OpaquePointer?, _ mean: Float, _ std: Float) -> Int32 {
    guarded {
        guard mean.isFinite && std.isFinite && std >= 0 else {
            throw SwiftNNError.invalidArgument("normal_ expects a finite mean and std >= 0, got mean=\(mean), std=\(std)")
        }
        Init.normal(try tensorArg(t), mean: mean, std: std)
    }
}
