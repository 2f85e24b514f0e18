import SwiftNN

@_cdecl("swiftnn_sgd_new")
public func swiftnn_sgd_new(_ params: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ lr: Float, _ momentum: Float,
                            _ dampening: Float, _ weightDecay: Float, _ nesterov: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let out = try output(out)
        guard count >= 0, count == 0 || params != nil else {
            throw SwiftNNError.invalidArgument("sgd: invalid parameter array (count \(count))")
        }
        let tensors = try (0..<Int(count)).map { try tensorArg(params![$0], "parameter \($0)") }
        out.pointee = retained(try SGD(parameters: tensors, lr: lr, momentum: momentum, dampening: dampening,
                                       weightDecay: weightDecay, nesterov: nesterov != 0))
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
    guarded {
        guard lr >= 0 && lr.isFinite else { throw SwiftNNError.invalidArgument("Invalid learning rate: \(lr)") }
        try optimizerArg(o).learningRate = lr
    }
}

@_cdecl("swiftnn_optimizer_get_lr")
public func swiftnn_optimizer_get_lr(_ o: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded {
        let o = try optimizerArg(o)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = o.learningRate
    }
}

@_cdecl("swiftnn_optimizer_free")
public func swiftnn_optimizer_free(_ o: OpaquePointer?) -> Int32 {
    release(o, as: Optimizer.self)
    return statusOK
}
