import SwiftNN
import SwiftNNMicroKernels
#if canImport(Glibc)
import Glibc
#endif

// The CPU and the kernel instruction-set path (SWIFTNN_ISA), for config reports.

/// Built once and never freed: the C caller gets a static string.
private let supportedPathsCString: UnsafePointer<CChar> = {
    let bytes = Array(KernelISA.supported.map(\.description).joined(separator: ",").utf8CString)
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    buffer.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(buffer)
}()

@_cdecl("swiftnn_cpu_model_name")
public func swiftnn_cpu_model_name() -> UnsafePointer<CChar> { swiftnn_cpu_model() }

@_cdecl("swiftnn_kernel_isa")
public func swiftnn_kernel_isa() -> UnsafePointer<CChar> { swiftnn_isa_name(Int32(KernelISA.active.rawValue)) }

@_cdecl("swiftnn_supported_kernel_isas")
public func swiftnn_supported_kernel_isas() -> UnsafePointer<CChar> { supportedPathsCString }

@_cdecl("swiftnn_set_kernel_isa")
public func swiftnn_set_kernel_isa(_ name: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        guard let name else { throw SwiftNNError.invalidArgument("kernel path name is null") }
        let text = String(cString: name)
        guard let isa = KernelISA(name: text) else {
            throw SwiftNNError.invalidArgument("unknown kernel path '\(text)' (expected baseline, avx2 or avx512)")
        }
        guard KernelISA.select(isa) else {
            throw SwiftNNError.invalidArgument("kernel path '\(text)' is not supported by this CPU (\(KernelISA.cpuModel))")
        }
    }
}
