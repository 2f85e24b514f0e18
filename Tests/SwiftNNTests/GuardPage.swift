#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XCTest

/// One writable page followed by an inaccessible one: a kernel that reads or writes
/// past a buffer placed at the end of the writable page crashes the test.
final class GuardPage {
    private let mapping: UnsafeMutableRawPointer
    private let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    init() throws {
        let mapping = try XCTUnwrap(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        guard mapping != MAP_FAILED, mprotect(mapping + page, page, PROT_NONE) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ENOMEM)
        }
        self.mapping = mapping
    }

    deinit { munmap(mapping, 2 * page) }

    /// `count` values of T whose last one ends where the accessible page does.
    func last<T>(_ count: Int, of type: T.Type = T.self) -> UnsafeMutablePointer<T> {
        precondition(count * MemoryLayout<T>.stride <= page, "GuardPage: \(count) values do not fit a page")
        return (mapping + page - count * MemoryLayout<T>.stride).assumingMemoryBound(to: T.self)
    }
}
