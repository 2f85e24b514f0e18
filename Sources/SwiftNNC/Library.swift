import SwiftNN
import SwiftNNABI
#if canImport(Glibc)
import Glibc
#endif

private let versionCString = UnsafePointer(strdup(swiftNNVersion)!)

@_cdecl("swiftnn_last_error")
public func swiftnn_last_error() -> UnsafePointer<CChar>? { lastError.pointer }

@_cdecl("swiftnn_version")
public func swiftnn_version() -> UnsafePointer<CChar> { versionCString }

@_cdecl("swiftnn_abi_version")
public func swiftnn_abi_version() -> Int32 { Int32(SWIFTNN_ABI_VERSION) }  // the header's, so the two never disagree

@_cdecl("swiftnn_set_grad_enabled")
public func swiftnn_set_grad_enabled(_ enabled: Int32, _ previous: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        previous?.pointee = GradMode.isEnabled ? 1 : 0
        GradMode.isEnabled = enabled != 0
    }
}

