import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

// Status codes of include/swiftnn.h.
let statusOK: Int32 = 0
let statusValue: Int32 = 1
let statusType: Int32 = 2
let statusIndex: Int32 = 3
let statusIO: Int32 = 4
let statusRuntime: Int32 = 5
let statusAttribute: Int32 = 6

/// A per-thread C string slot: the last error message, or a name returned to the
/// caller, valid until the slot is next written on the same thread.
final class ThreadLocalCString {
    private var key = pthread_key_t()

    init() { pthread_key_create(&key) { free($0) } }

    var pointer: UnsafePointer<CChar>? {
        pthread_getspecific(key).map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
    }

    func set(_ text: String) {
        free(pthread_getspecific(key))
        pthread_setspecific(key, strdup(text))
    }
}

let lastError = ThreadLocalCString()
let returnedName = ThreadLocalCString()

/// Runs one ABI call: any thrown error becomes a status code plus the thread's
/// last-error message. This is the only place errors cross the boundary.
@inline(__always)
func guarded(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return statusOK
    } catch let error as SwiftNNError {
        lastError.set(error.description)
        switch error {
        case .invalidArgument: return statusValue
        case .wrongType: return statusType
        case .outOfRange: return statusIndex
        case .io: return statusIO
        case .runtime: return statusRuntime
        case .readOnly: return statusAttribute
        }
    } catch {
        lastError.set("\(error)")
        return statusRuntime
    }
}

// MARK: Handles

/// Hands a retained reference to the caller, who releases it with *_free.
/// Handles go through `HandleRegistry`: a freed or foreign handle is caught.
func retained(_ object: AnyObject) -> OpaquePointer {
    HandleRegistry.shared.register(object)
}

func borrowed<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ role: String) throws -> T {
    guard let handle else { throw SwiftNNError.invalidArgument("\(role) is a null handle") }
    guard let object = HandleRegistry.shared.lookup(handle) else {
        throw SwiftNNError.invalidArgument("\(role) is not a live handle (already freed, or not made by this library)")
    }
    guard let typed = object as? T else {
        throw SwiftNNError.wrongType("\(role) is a handle of a \(Swift.type(of: object)), not of a \(T.self)")
    }
    return typed
}

/// Ends the caller's reference. A null handle is ignored; a stale, foreign or
/// wrong-kind handle changes nothing and leaves a message in swiftnn_last_error().
func release<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) {
    guard let handle else { return }
    if !HandleRegistry.shared.release(handle, if: { $0 is T }) {
        lastError.set("free: not a live \(T.self) handle (already freed, wrong kind, or not made by this library)")
    }
}

func tensorArg(_ handle: OpaquePointer?, _ role: String = "tensor") throws -> Tensor {
    try borrowed(handle, as: Tensor.self, role)
}

func moduleArg(_ handle: OpaquePointer?) throws -> Module {
    try borrowed(handle, as: Module.self, "module")
}

/// Writes a result handle, rejecting a null out-pointer before any work is lost.
func output(_ out: UnsafeMutablePointer<OpaquePointer?>?) throws -> UnsafeMutablePointer<OpaquePointer?> {
    guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
    return out
}

/// Copies `text` NUL-terminated into buf (truncated to capacity) and reports its full length.
func writeString(_ text: String, _ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                 _ length: UnsafeMutablePointer<Int64>?) {
    let bytes = Array(text.utf8)
    length?.pointee = Int64(bytes.count)
    guard let buf, capacity > 0 else { return }
    let n = min(bytes.count, Int(capacity) - 1)
    for i in 0..<n { buf[i] = CChar(bitPattern: bytes[i]) }
    buf[n] = 0
}

/// One ABI call that creates an object (tensor, module, ...) and hands it out through `out`
/// (NULL when `make` returns nil): the one way a call returns a new handle.
func returningHandle(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ make: () throws -> AnyObject?) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = try make().map(retained)
    }
}

/// One ABI call that returns a plain value (a count, a flag) through `out`.
func returningValue<T>(_ out: UnsafeMutablePointer<T>?, _ make: () throws -> T) -> Int32 {
    guarded {
        guard let out else { throw SwiftNNError.invalidArgument("output pointer is null") }
        out.pointee = try make()
    }
}

func returningFlag(_ out: UnsafeMutablePointer<Int32>?, _ make: () throws -> Bool) -> Int32 {
    returningValue(out) { try make() ? 1 : 0 }
}
