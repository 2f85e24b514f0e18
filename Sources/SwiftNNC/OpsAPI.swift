import SwiftNN

// Tensor ops: thin wrappers that validate handles and return a new tensor.

private func unary(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                   _ op: (Tensor) throws -> Tensor) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try op(try tensorArg(x, "input")))
    }
}

private func binary(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                    _ op: (Tensor, Tensor) throws -> Tensor) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try op(try tensorArg(a, "first operand"), try tensorArg(b, "second operand")))
    }
}

@_cdecl("swiftnn_add")
public func swiftnn_add(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    binary(a, b, out) { try $0.adding($1) }
}

@_cdecl("swiftnn_sub")
public func swiftnn_sub(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    binary(a, b, out) { try $0.subtracting($1) }
}

@_cdecl("swiftnn_mul")
public func swiftnn_mul(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    binary(a, b, out) { try $0.multiplying($1) }
}

@_cdecl("swiftnn_div")
public func swiftnn_div(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    binary(a, b, out) { try $0.dividing($1) }
}

@_cdecl("swiftnn_matmul")
public func swiftnn_matmul(_ a: OpaquePointer?, _ b: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    binary(a, b, out) { try $0.matmul($1) }
}

@_cdecl("swiftnn_neg")
public func swiftnn_neg(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.negated() }
}

@_cdecl("swiftnn_relu")
public func swiftnn_relu(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.relu() }
}

@_cdecl("swiftnn_sigmoid")
public func swiftnn_sigmoid(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.sigmoid() }
}

@_cdecl("swiftnn_tanh")
public func swiftnn_tanh(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.tanh() }
}

@_cdecl("swiftnn_exp")
public func swiftnn_exp(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.exp() }
}

@_cdecl("swiftnn_log")
public func swiftnn_log(_ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.log() }
}

@_cdecl("swiftnn_softmax")
public func swiftnn_softmax(_ x: OpaquePointer?, _ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.softmax(dim: Int(dim)) }
}

@_cdecl("swiftnn_log_softmax")
public func swiftnn_log_softmax(_ x: OpaquePointer?, _ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.logSoftmax(dim: Int(dim)) }
}

@_cdecl("swiftnn_sum")
public func swiftnn_sum(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ ndims: Int32, _ keepdim: Int32,
                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.sum(dims: try dimsArg(dims, ndims), keepDim: keepdim != 0) }
}

@_cdecl("swiftnn_mean")
public func swiftnn_mean(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ ndims: Int32, _ keepdim: Int32,
                         _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.mean(dims: try dimsArg(dims, ndims), keepDim: keepdim != 0) }
}

@_cdecl("swiftnn_amax")
public func swiftnn_amax(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ ndims: Int32, _ keepdim: Int32,
                         _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.amax(dims: try dimsArg(dims, ndims), keepDim: keepdim != 0) }
}

@_cdecl("swiftnn_max_dim")
public func swiftnn_max_dim(_ x: OpaquePointer?, _ dim: Int64, _ keepdim: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?,
                            _ indices: UnsafeMutablePointer<Int64>?, _ capacity: Int64) -> Int32 {
    guarded {
        let values = try output(values)
        let result = try tensorArg(x, "input").max(dim: Int(dim), keepDim: keepdim != 0)
        guard capacity >= result.indices.count else {
            throw SwiftNNError.invalidArgument("indices buffer holds \(capacity) elements but \(result.indices.count) are needed")
        }
        if !result.indices.isEmpty {
            guard let indices else { throw SwiftNNError.invalidArgument("indices pointer is null") }
            for (i, v) in result.indices.enumerated() { indices[i] = Int64(v) }
        }
        values.pointee = retained(result.values)
    }
}

@_cdecl("swiftnn_reshape")
public func swiftnn_reshape(_ x: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { x in
        guard ndim >= 0 && Int(ndim) <= maxDims, ndim == 0 || shape != nil else {
            throw SwiftNNError.invalidArgument("reshape: invalid shape argument (ndim \(ndim))")
        }
        return try x.reshape((0..<Int(ndim)).map { Int(shape![$0]) })
    }
}

@_cdecl("swiftnn_flatten")
public func swiftnn_flatten(_ x: OpaquePointer?, _ startDim: Int64, _ endDim: Int64,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.flatten(startDim: Int(startDim), endDim: Int(endDim)) }
}

@_cdecl("swiftnn_transpose")
public func swiftnn_transpose(_ x: OpaquePointer?, _ dim0: Int64, _ dim1: Int64,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.transpose(Int(dim0), Int(dim1)) }
}

@_cdecl("swiftnn_permute")
public func swiftnn_permute(_ x: OpaquePointer?, _ dims: UnsafePointer<Int64>?, _ ndims: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.permute(try dimsArg(dims, ndims) ?? []) }
}

@_cdecl("swiftnn_unsqueeze")
public func swiftnn_unsqueeze(_ x: OpaquePointer?, _ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.unsqueeze(Int(dim)) }
}

@_cdecl("swiftnn_squeeze")
public func swiftnn_squeeze(_ x: OpaquePointer?, _ dim: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.squeeze(Int(dim)) }
}

@_cdecl("swiftnn_linear")
public func swiftnn_linear(_ x: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?,
                           _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { x in
        try x.linear(weight: try tensorArg(weight, "weight"), bias: bias == nil ? nil : try tensorArg(bias, "bias"))
    }
}

@_cdecl("swiftnn_dropout")
public func swiftnn_dropout(_ x: OpaquePointer?, _ p: Float, _ training: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(x, out) { try $0.dropout(p: p, training: training != 0) }
}

// MARK: Losses

@_cdecl("swiftnn_cross_entropy")
public func swiftnn_cross_entropy(_ input: OpaquePointer?, _ targets: UnsafePointer<Int64>?, _ count: Int64,
                                  _ reduction: Int32, _ labelSmoothing: Float, _ ignoreIndex: Int64,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(input, out) { x in
        guard count >= 0, count == 0 || targets != nil else {
            throw SwiftNNError.invalidArgument("cross_entropy: invalid targets buffer (count \(count))")
        }
        let labels = (0..<Int(count)).map { Int(targets![$0]) }
        return try x.crossEntropy(targets: labels, reduction: try reductionArg(reduction),
                                  labelSmoothing: labelSmoothing, ignoreIndex: Int(ignoreIndex))
    }
}

@_cdecl("swiftnn_cross_entropy_probs")
public func swiftnn_cross_entropy_probs(_ input: OpaquePointer?, _ target: OpaquePointer?, _ reduction: Int32,
                                        _ labelSmoothing: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(input, out) { x in
        try x.crossEntropy(probabilities: try tensorArg(target, "target"), reduction: try reductionArg(reduction),
                           labelSmoothing: labelSmoothing)
    }
}

@_cdecl("swiftnn_mse_loss")
public func swiftnn_mse_loss(_ input: OpaquePointer?, _ target: OpaquePointer?, _ reduction: Int32,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    unary(input, out) { x in try x.mseLoss(try tensorArg(target, "target"), reduction: try reductionArg(reduction)) }
}
