import SwiftNN

/// `count` handles from a C array, each checked for null.
func handleList<T: AnyObject>(_ handles: UnsafePointer<OpaquePointer?>?, _ count: Int64, as type: T.Type,
                              _ role: String) throws -> [T] {
    guard count >= 0, count == 0 || handles != nil else {
        throw SwiftNNError.invalidArgument("invalid \(role) array (count \(count))")
    }
    return try (0..<Int(count)).map { try borrowed(handles![$0], as: T.self, "\(role) \($0)") }
}

/// Builds an optimizer over the parameter array and hands it to the caller.
private func newOptimizer(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?,
                          _ make: ([Tensor]) throws -> Optimizer) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try make(try handleList(params, count, as: Tensor.self, "parameter")))
    }
}

@_cdecl("swiftnn_sgd_new")
public func swiftnn_sgd_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Float, _ momentum: Float,
                            _ dampening: Float, _ weightDecay: Float, _ nesterov: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newOptimizer(params, count, out) {
        try SGD(parameters: $0, lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                nesterov: nesterov != 0)
    }
}

/// Adam, or AdamW when `decoupled`.
private func newAdam(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Double, _ betas: (Double, Double),
                     _ eps: Double, _ weightDecay: Double, _ amsgrad: Int32, decoupled: Bool,
                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newOptimizer(params, count, out) {
        decoupled
            ? try AdamW(parameters: $0, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad != 0)
            : try Adam(parameters: $0, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad != 0)
    }
}

@_cdecl("swiftnn_adam_new")
public func swiftnn_adam_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Double,
                             _ beta1: Double, _ beta2: Double, _ eps: Double, _ weightDecay: Double,
                             _ amsgrad: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newAdam(params, count, lr, (beta1, beta2), eps, weightDecay, amsgrad, decoupled: false, out)
}

/// AdamW's default weight decay (1e-2) is the caller's to pass.
@_cdecl("swiftnn_adamw_new")
public func swiftnn_adamw_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Double,
                              _ beta1: Double, _ beta2: Double, _ eps: Double, _ weightDecay: Double,
                              _ amsgrad: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newAdam(params, count, lr, (beta1, beta2), eps, weightDecay, amsgrad, decoupled: true, out)
}

@_cdecl("swiftnn_rmsprop_new")
public func swiftnn_rmsprop_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Double,
                                _ alpha: Double, _ eps: Double, _ weightDecay: Double, _ momentum: Double,
                                _ centered: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newOptimizer(params, count, out) {
        try RMSprop(parameters: $0, lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum,
                    centered: centered != 0)
    }
}

@_cdecl("swiftnn_adagrad_new")
public func swiftnn_adagrad_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Double,
                                _ lrDecay: Double, _ weightDecay: Double, _ initialAccumulatorValue: Double,
                                _ eps: Double, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    newOptimizer(params, count, out) {
        try Adagrad(parameters: $0, lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                    initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }
}

private func optimizerArg(_ o: OpaquePointer?) throws -> Optimizer {
    try borrowed(o, as: Optimizer.self, "optimizer")
}

@_cdecl("swiftnn_optimizer_step")
public func swiftnn_optimizer_step(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).step() }
}

@_cdecl("swiftnn_optimizer_zero_grad")
public func swiftnn_optimizer_zero_grad(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).zeroGrad() }
}

@_cdecl("swiftnn_optimizer_set_lr")
public func swiftnn_optimizer_set_lr(_ o: OpaquePointer?, _ lr: Float) -> Int32 {
    guarded { try optimizerArg(o).setHyperparameter("lr", Double(lr)) }
}

@_cdecl("swiftnn_optimizer_get_lr")
public func swiftnn_optimizer_get_lr(_ o: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded {
        let o = try optimizerArg(o)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = o.learningRate
    }
}

private func nameArg(_ name: UnsafePointer<CChar>?) throws -> String {
    guard let name else { throw SwiftNNError.invalidArgument("name is a null pointer") }
    return String(cString: name)
}

@_cdecl("swiftnn_optimizer_set_hyper")
public func swiftnn_optimizer_set_hyper(_ o: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: Double) -> Int32 {
    guarded { try optimizerArg(o).setHyperparameter(try nameArg(name), value) }
}

@_cdecl("swiftnn_optimizer_get_hyper")
public func swiftnn_optimizer_get_hyper(_ o: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                        _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded {
        let value = try optimizerArg(o).hyperparameter(try nameArg(name))
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = value
    }
}

@_cdecl("swiftnn_optimizer_state_count")
public func swiftnn_optimizer_state_count(_ o: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let count = try optimizerArg(o).stateEntries().count
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int64(count)
    }
}

@_cdecl("swiftnn_optimizer_state_entry")
public func swiftnn_optimizer_state_entry(_ o: OpaquePointer?, _ index: Int64,
                                          _ paramIndex: UnsafeMutablePointer<Int64>?,
                                          _ name: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                          _ nameLength: UnsafeMutablePointer<Int64>?,
                                          _ tensor: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let entries = try optimizerArg(o).stateEntries()
        guard index >= 0 && index < Int64(entries.count) else {
            throw SwiftNNError.outOfRange("state entry \(index) out of range for \(entries.count) entries")
        }
        let entry = entries[Int(index)]
        writeString(entry.name, name, capacity, nameLength)
        paramIndex?.pointee = Int64(entry.index)
        tensor?.pointee = retained(entry.tensor)
    }
}

@_cdecl("swiftnn_optimizer_load_state")
public func swiftnn_optimizer_load_state(_ o: OpaquePointer?, _ paramIndex: Int64, _ name: UnsafePointer<CChar>?,
                                         _ tensor: OpaquePointer?) -> Int32 {
    guarded {
        try optimizerArg(o).loadState(index: Int(paramIndex), name: try nameArg(name),
                                      tensor: try tensorArg(tensor, "state tensor"))
    }
}

@_cdecl("swiftnn_optimizer_clear_state")
public func swiftnn_optimizer_clear_state(_ o: OpaquePointer?) -> Int32 {
    guarded { try optimizerArg(o).clearState() }
}

@_cdecl("swiftnn_clip_grad_norm")
public func swiftnn_clip_grad_norm(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ maxNorm: Double,
                                   _ normType: Double, _ errorIfNonfinite: Int32,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        let tensors = try handleList(params, count, as: Tensor.self, "parameter")
        out.pointee = retained(try clipGradNorm(tensors, maxNorm: maxNorm, normType: normType,
                                                errorIfNonfinite: errorIfNonfinite != 0))
    }
}

@_cdecl("swiftnn_optimizer_free")
public func swiftnn_optimizer_free(_ o: OpaquePointer?) -> Int32 {
    release(o, as: Optimizer.self)
    return statusOK
}
