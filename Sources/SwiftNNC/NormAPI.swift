import SwiftNN

// Normalization and activation layers (their functional forms come from codegen/ops.toml).

// MARK: Layers

@_cdecl("swiftnn_batchnorm_new")
public func swiftnn_batchnorm_new(_ dims: Int32, _ numFeatures: Int64, _ eps: Float, _ momentum: Float, _ hasMomentum: Int32,
                                  _ affine: Int32, _ track: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        let n = try nonNegative(numFeatures, "num_features")
        let m: Float? = hasMomentum != 0 ? momentum : nil
        switch dims {
        case 1: return try BatchNorm1d(n, eps: eps, momentum: m, affine: affine != 0, trackRunningStats: track != 0)
        case 2: return try BatchNorm2d(n, eps: eps, momentum: m, affine: affine != 0, trackRunningStats: track != 0)
        default: throw SwiftNNError.invalidArgument("batchnorm_new: dims must be 1 or 2, got \(dims)")
        }
    }
}

@_cdecl("swiftnn_batchnorm_set_momentum")
public func swiftnn_batchnorm_set_momentum(_ m: OpaquePointer?, _ momentum: Float, _ hasMomentum: Int32) -> Int32 {
    guarded {
        guard let bn = try moduleArg(m) as? BatchNorm else { throw SwiftNNError.wrongType("module is not a BatchNorm layer") }
        bn.momentum = hasMomentum != 0 ? momentum : nil
    }
}

@_cdecl("swiftnn_layernorm_new")
public func swiftnn_layernorm_new(_ shape: UnsafePointer<Int64>?, _ ndim: Int32, _ eps: Float, _ affine: Int32, _ bias: Int32,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try LayerNorm(try shapeArg(shape, ndim), eps: eps, elementwiseAffine: affine != 0, bias: bias != 0) }
}

@_cdecl("swiftnn_local_response_norm_new")
public func swiftnn_local_response_norm_new(_ size: Int64, _ alpha: Float, _ beta: Float, _ k: Float,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try LocalResponseNorm(size: try positive(Int(clamping: size), "size"), alpha: alpha, beta: beta, k: k) }
}

@_cdecl("swiftnn_leaky_relu_new")
public func swiftnn_leaky_relu_new(_ slope: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { LeakyReLU(negativeSlope: slope) }
}

@_cdecl("swiftnn_gelu_new")
public func swiftnn_gelu_new(_ tanh: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try GELU(approximate: geluApproximateArg(tanh, "approximate")) }
}

@_cdecl("swiftnn_silu_new")
public func swiftnn_silu_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 { returningHandle(out) { SiLU() } }

@_cdecl("swiftnn_dropout2d_new")
public func swiftnn_dropout2d_new(_ p: Float, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) { try Dropout2d(p: p) }
}
