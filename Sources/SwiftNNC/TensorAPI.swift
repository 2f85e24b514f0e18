import SwiftNN

// Tensors from and to caller buffers, shapes, grad_fn names: the calls
// whose buffers or results the op table does not describe (the rest: Generated/TensorsOps.swift).

@_cdecl("swiftnn_tensor_from_data")
public func swiftnn_tensor_from_data(_ data: UnsafePointer<Float>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        let t = try Tensor.zeros(try shapeArg(shape, ndim))
        if t.count > 0 {
            guard let data else { throw SwiftNNError.invalidArgument("data pointer is null") }
            t.assign(from: data)
        }
        return t
    }
}

@_cdecl("swiftnn_tensor_free")
public func swiftnn_tensor_free(_ t: OpaquePointer?) -> Int32 {
    release(t, as: Tensor.self)
    return statusOK
}

@_cdecl("swiftnn_tensor_ndim")
public func swiftnn_tensor_ndim(_ t: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        let t = try tensorArg(t)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = Int32(t.rank)
    }
}

@_cdecl("swiftnn_tensor_shape")
public func swiftnn_tensor_shape(_ t: OpaquePointer?, _ shape: UnsafeMutablePointer<Int64>?, _ capacity: Int32) -> Int32 {
    guarded {
        let t = try tensorArg(t)
        guard Int(capacity) >= t.rank else {
            throw SwiftNNError.invalidArgument("shape buffer holds \(capacity) dims but the tensor has \(t.rank)")
        }
        if t.rank == 0 { return }
        guard let shape else { throw SwiftNNError.invalidArgument("shape pointer is null") }
        for (i, d) in t.shape.enumerated() { shape[i] = Int64(d) }
    }
}

@_cdecl("swiftnn_tensor_copy_to")
public func swiftnn_tensor_copy_to(_ t: OpaquePointer?, _ dst: UnsafeMutablePointer<Float>?, _ capacity: Int64) -> Int32 {
    guarded {
        let t = try tensorArg(t)
        guard capacity >= t.count else {
            throw SwiftNNError.invalidArgument("destination holds \(capacity) elements but the tensor has \(t.count)")
        }
        if t.count == 0 { return }
        guard let dst else { throw SwiftNNError.invalidArgument("destination pointer is null") }
        t.copy(to: dst)
    }
}

@_cdecl("swiftnn_tensor_copy_from")
public func swiftnn_tensor_copy_from(_ t: OpaquePointer?, _ src: UnsafePointer<Float>?, _ count: Int64) -> Int32 {
    guarded {
        let t = try tensorArg(t)
        guard count == t.count else {
            throw SwiftNNError.invalidArgument("source has \(count) elements but the tensor of shape \(t.shape) has \(t.count)")
        }
        if t.count == 0 { return }
        guard let src else { throw SwiftNNError.invalidArgument("source pointer is null") }
        t.assign(from: src)
    }
}

@_cdecl("swiftnn_tensor_grad_fn_name")
public func swiftnn_tensor_grad_fn_name(_ t: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guarded {
        let t = try tensorArg(t)
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        returnedName.set(t.gradFnName ?? "")
        out.pointee = returnedName.pointer
    }
}
