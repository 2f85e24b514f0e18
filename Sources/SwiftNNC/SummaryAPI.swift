import SwiftNN

// A traced forward for `swiftnn.summary`: the output and one JSON row per leaf module call.

private let traceText = ThreadLocalCString()

/// `*rows` is valid until the next trace call on the same thread.
@_cdecl("swiftnn_module_trace")
public func swiftnn_module_trace(_ m: OpaquePointer?, _ x: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ rows: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guarded {
        let module = try moduleArg(m), input = try tensorArg(x, "input")
        let out = try output(out)
        guard let rows else { throw SwiftNNError.invalidArgument("rows pointer is null") }
        let traced = try ForwardTrace.run(module, input)
        traceText.set(ForwardTrace.json(traced.rows))
        rows.pointee = traceText.pointer
        out.pointee = retained(traced.output)
    }
}
