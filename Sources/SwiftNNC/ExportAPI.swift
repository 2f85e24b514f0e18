import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

// The op-level trace behind graph export (swiftnn.onnx): begin, run any forward on the
// same thread (one engine call or many from Python), end, then look tensors up by id.
// The finished trace stays in a per-thread slot until the next begin or clear.

private let traceJSON = ThreadLocalCString()

private final class TraceSlot {
    private var key = pthread_key_t()
    init() { pthread_key_create(&key) { if let p = $0 { Unmanaged<OpTrace>.fromOpaque(p).release() } } }

    var trace: OpTrace? {
        pthread_getspecific(key).map { Unmanaged<OpTrace>.fromOpaque($0).takeUnretainedValue() }
    }

    func set(_ trace: OpTrace?) {
        if let old = pthread_getspecific(key) {
            let previous = Unmanaged<OpTrace>.fromOpaque(old).takeRetainedValue()
            try? previous.end()  // a trace dropped while recording stops recording
        }
        pthread_setspecific(key, trace.map { Unmanaged.passRetained($0).toOpaque() })
    }
}

private let slot = TraceSlot()

private func finishedTrace() throws -> OpTrace {
    guard let trace = slot.trace else { throw SwiftNNError.runtime("no op trace: call swiftnn_op_trace_begin first") }
    return trace
}

@_cdecl("swiftnn_op_trace_begin")
public func swiftnn_op_trace_begin() -> Int32 {
    guarded {
        slot.set(nil)
        slot.set(try OpTrace.begin())
    }
}

@_cdecl("swiftnn_op_trace_end")
public func swiftnn_op_trace_end(_ json: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let json else { throw SwiftNNError.invalidArgument("json pointer is null") }
        let trace = try finishedTrace()
        try trace.end()
        traceJSON.set(trace.json)
        json.pointee = traceJSON.pointer
    }
}

@_cdecl("swiftnn_op_trace_id")
public func swiftnn_op_trace_id(_ x: OpaquePointer?, _ id: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        guard let id else { throw SwiftNNError.invalidArgument("id pointer is null") }
        id.pointee = Int64(try finishedTrace().id(of: try tensorArg(x)) ?? -1)
    }
}

@_cdecl("swiftnn_op_trace_value")
public func swiftnn_op_trace_value(_ id: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    returningHandle(out) {
        let tensors = try finishedTrace().tensors
        guard id >= 0, id < Int64(tensors.count) else {
            throw SwiftNNError.outOfRange("op trace value \(id) is out of range (the trace has \(tensors.count))")
        }
        return tensors[Int(id)]
    }
}

@_cdecl("swiftnn_op_trace_clear")
public func swiftnn_op_trace_clear() -> Int32 {
    guarded { slot.set(nil) }
}
