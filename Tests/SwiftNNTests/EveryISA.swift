import XCTest
import SwiftNNKernels

/// Runs `body` once on each instruction-set path this CPU supports, then restores the
/// path that was loaded: the kernel tests hold every path to the same references.
func forEachSupportedISA(_ body: (KernelISA) throws -> Void) rethrows {
    let loaded = KernelISA.active
    defer { KernelISA.select(loaded) }
    for isa in KernelISA.supported {
        XCTAssertTrue(KernelISA.select(isa), "could not select \(isa)")
        try body(isa)
    }
}
