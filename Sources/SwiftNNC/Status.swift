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

// MARK: Arguments

let maxDims = 16

func shapeArg(_ shape: UnsafePointer<Int64>?, _ ndim: Int32) throws -> [Int] {
    guard ndim >= 0 && Int(ndim) <= maxDims else {
        throw SwiftNNError.invalidArgument("ndim must be between 0 and \(maxDims), got \(ndim)")
    }
    if ndim == 0 { return [] }
    guard let shape else { throw SwiftNNError.invalidArgument("shape pointer is null") }
    return (0..<Int(ndim)).map { Int(shape[$0]) }
}

/// Optional dim list: a null pointer means "all dimensions".
func dimsArg(_ dims: UnsafePointer<Int64>?, _ count: Int32) throws -> [Int]? {
    guard let dims else { return nil }
    guard count >= 0 && Int(count) <= maxDims else {
        throw SwiftNNError.invalidArgument("number of dims must be between 0 and \(maxDims), got \(count)")
    }
    return (0..<Int(count)).map { Int(dims[$0]) }
}

func reductionArg(_ code: Int32) throws -> Reduction {
    switch code {
    case 0: return .none
    case 1: return .mean
    case 2: return .sum
    default: throw SwiftNNError.invalidArgument("reduction code must be 0 (none), 1 (mean) or 2 (sum), got \(code)")
    }
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

/// One ABI call that creates an object (tensor, module, ...) and hands it out through `out`.
func returningHandle(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ make: () throws -> AnyObject) -> Int32 {
    guarded {
        let out = try output(out)
        out.pointee = retained(try make())
    }
}

/// A {h, w} pair passed as a pointer to two int64 values.
func pairArg(_ values: UnsafePointer<Int64>?, _ role: String) throws -> Pair {
    guard let values else { throw SwiftNNError.invalidArgument("\(role) pointer is null") }
    // magnitude, not abs(): abs(Int64.min) traps.
    let limit = UInt64(Int32.max)
    guard values[0].magnitude <= limit, values[1].magnitude <= limit else {
        throw SwiftNNError.invalidArgument("\(role) (\(values[0]), \(values[1])) is out of range")
    }
    return Pair(Int(values[0]), Int(values[1]))
}
