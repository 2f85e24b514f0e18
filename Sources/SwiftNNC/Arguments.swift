import SwiftNN
import SwiftNNABI

// Argument conversion for the ABI: every C argument kind of codegen/ops.toml
// (and the hand-written exports) becomes an engine value here, once. Values
// are only shaped here; the engine validates what they mean.

let maxDims = 16

func intArg(_ value: Int64, _ role: String) throws -> Int { Int(value) }

/// A size that may be zero: 0 ... Int32.max.
func nonNegative(_ value: Int64, _ role: String) throws -> Int {
    guard value >= 0 && value <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) must be between 0 and \(Int32.max), got \(value)")
    }
    return Int(value)
}

/// A count or size: 1 ... Int32.max.
func positive(_ value: Int, _ role: String) throws -> Int {
    guard value > 0 && value <= Int(Int32.max) else {
        throw SwiftNNError.invalidArgument("\(role) must be a positive integer, got \(value)")
    }
    return value
}

func optionalIntArg(_ value: swiftnn_optional_int64, _ role: String) throws -> Int? {
    value.has_value != 0 ? Int(value.value) : nil
}

func optionalFloatArg(_ value: swiftnn_optional_double) -> Float? {
    value.has_value != 0 ? Float(value.value) : nil
}

func optionalTensorArg(_ handle: OpaquePointer?, _ role: String) throws -> Tensor? {
    handle == nil ? nil : try tensorArg(handle, role)
}

/// `count` tensor handles from a C array (an empty list is the op's to reject).
func tensorListArg(_ handles: UnsafePointer<OpaquePointer?>?, _ count: Int64, _ role: String) throws -> [Tensor] {
    guard count >= 0 && count <= Int64(Int32.max) else {
        throw SwiftNNError.invalidArgument("number of \(role) must be between 0 and \(Int32.max), got \(count)")
    }
    if count == 0 { return [] }
    guard let handles else { throw SwiftNNError.invalidArgument("\(role) array is null") }
    return try (0..<Int(count)).map { try tensorArg(handles[$0], "\(role)[\($0)]") }
}

/// `count` int64 values (class indices) from a C array.
func int64ArrayArg(_ values: UnsafePointer<Int64>?, _ count: Int64, _ role: String) throws -> [Int] {
    guard count >= 0 else { throw SwiftNNError.invalidArgument("invalid \(role) buffer (count \(count))") }
    if count == 0 { return [] }
    guard let values else { throw SwiftNNError.invalidArgument("\(role) buffer is null (count \(count))") }
    return (0..<Int(count)).map { Int(values[$0]) }
}

/// A shape or dim list of `ndim` values.
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
    guard dims != nil else { return nil }
    return try shapeArg(dims, count)
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

/// Adaptive output sizes: an entry without a value keeps that input dimension (PyTorch's None).
func optionalPairArg(_ values: UnsafePointer<swiftnn_optional_int64>?, _ role: String) throws -> (Int?, Int?) {
    guard let values else { throw SwiftNNError.invalidArgument("\(role) pointer is null") }
    func one(_ v: swiftnn_optional_int64) throws -> Int? {
        v.has_value != 0 ? try positive(Int(v.value), role) : nil
    }
    return (try one(values[0]), try one(values[1]))
}

/// A pooling stride: no value (None) means the kernel size.
func strideArg(_ values: UnsafePointer<swiftnn_optional_int64>?, _ role: String) throws -> Pair? {
    let (h, w) = try optionalPairArg(values, role)
    guard let h, let w else {
        guard h == nil && w == nil else { throw SwiftNNError.invalidArgument("\(role) needs both entries or neither") }
        return nil
    }
    return Pair(h, w)
}

/// avg_pool2d's divisor_override: None, or a non-zero count (PyTorch's message for 0).
func divisorArg(_ value: Int?) throws -> Int? {
    guard let value else { return nil }
    guard value != 0 else { throw SwiftNNError.invalidArgument("divisor must be not zero") }
    return try positive(value, "divisor_override")
}

/// Convolution padding: the explicit pair, or 'valid' / 'same' (the pair is then ignored).
func convPaddingArg(_ padding: UnsafePointer<Int64>?, _ mode: Int32, _ role: String) throws -> ConvPadding {
    switch try paddingModeArg(mode, "padding_mode") {
    case "valid": return .valid
    case "same": return .same
    default:
        let p = try pairArg(padding, role)
        return .explicit(p.h, p.w)
    }
}

// MARK: Engine objects, text

/// `count` handles of one kind from a C array.
func handleList<T: AnyObject>(_ handles: UnsafePointer<OpaquePointer?>?, _ count: Int64, as type: T.Type,
                              _ role: String) throws -> [T] {
    guard count >= 0 else { throw SwiftNNError.invalidArgument("invalid \(role) array (count \(count))") }
    if count == 0 { return [] }
    guard let handles else { throw SwiftNNError.invalidArgument("\(role) array is null (count \(count))") }
    return try (0..<Int(count)).map { try borrowed(handles[$0], as: T.self, "\(role) \($0)") }
}

func optimizerArg(_ handle: OpaquePointer?) throws -> Optimizer { try borrowed(handle, as: Optimizer.self, "optimizer") }
func schedulerArg(_ handle: OpaquePointer?) throws -> LRScheduler { try borrowed(handle, as: LRScheduler.self, "scheduler") }

/// `size` bytes from a C buffer (may be null when empty).
func bytesArg(_ bytes: UnsafePointer<UInt8>?, _ size: Int64, _ role: String) throws -> [UInt8] {
    guard size >= 0 else { throw SwiftNNError.invalidArgument("\(role) size must be non-negative") }
    if size == 0 { return [] }
    guard let bytes else { throw SwiftNNError.invalidArgument("\(role) pointer is null") }
    return Array(UnsafeBufferPointer(start: bytes, count: Int(size)))
}

func stringArg(_ s: UnsafePointer<CChar>?, _ role: String) throws -> String {
    guard let s else { throw SwiftNNError.invalidArgument("\(role) is a null pointer") }
    return String(cString: s)
}

/// One setting of a module, optimizer or scheduler as JSON text; every setting for a nil name.
func optionText(_ holder: OptionHolder, _ name: String?) throws -> String {
    (try name.map { try holder.option($0) } ?? holder.optionsJSON).text
}

/// One ABI call that returns text: written NUL-terminated into buf (truncated to capacity),
/// its full length into *length; a NULL buf with capacity 0 asks for the length only.
func returningText(_ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64, _ length: UnsafeMutablePointer<Int64>?,
                   _ make: () throws -> String) -> Int32 {
    guarded { writeString(try make(), buf, capacity, length) }
}

// MARK: Results beyond one tensor

/// One ABI call that returns a tensor and int64 indices: the indices go into a buffer the
/// engine allocates (the caller frees it with swiftnn_buffer_free); a NULL `indices` skips them.
func returningIndexed<I: BinaryInteger>(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                        _ indices: UnsafeMutablePointer<UnsafeMutablePointer<Int64>?>?,
                                        _ count: UnsafeMutablePointer<Int64>?,
                                        _ make: () throws -> (values: Tensor, indices: [I])) -> Int32 {
    guarded {
        let out = try output(out)
        let result = try make()
        if let indices {
            let buffer = UnsafeMutablePointer<Int64>.allocate(capacity: max(result.indices.count, 1))
            for (i, v) in result.indices.enumerated() { buffer[i] = Int64(v) }
            indices.pointee = buffer
        }
        count?.pointee = Int64(result.indices.count)
        out.pointee = retained(result.values)
    }
}

/// One ABI call that returns several new handles: an array the engine allocates
/// (the caller frees it with swiftnn_buffer_free, and each handle with its *_free).
func returningHandles(_ outs: UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>?,
                      _ count: UnsafeMutablePointer<Int64>?, _ make: () throws -> [AnyObject]) -> Int32 {
    guarded {
        guard let outs, let count else { throw SwiftNNError.invalidArgument("output pointer is null") }
        let objects = try make()
        let array = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: max(objects.count, 1))
        for (i, object) in objects.enumerated() { array[i] = retained(object) }
        outs.pointee = array
        count.pointee = Int64(objects.count)
    }
}

/// One ABI call that fills the caller's buffer of `count` values (NumPy out in Python).
func returningArray<T, V>(_ out: UnsafeMutablePointer<T>?, _ count: Int64, _ make: () throws -> [V]) -> Int32
    where T: Numeric, V: BinaryConvertible<T> {
    guarded {
        guard count >= 0 && count <= 1 << 40 else { throw SwiftNNError.invalidArgument("invalid number of values \(count)") }
        guard count == 0 || out != nil else { throw SwiftNNError.invalidArgument("output pointer is null") }
        let values = try make()
        guard values.count == count else {
            throw SwiftNNError.invalidArgument("the result has \(values.count) values, the buffer holds \(count)")
        }
        guard let out else { return }  // checked above: only when there are no values
        for (i, v) in values.enumerated() { out[i] = v.converted }
    }
}

/// The element conversions of returningArray: Int -> Int64, Double -> Double.
protocol BinaryConvertible<Target> {
    associatedtype Target
    var converted: Target { get }
}
extension Int: BinaryConvertible { var converted: Int64 { Int64(self) } }
extension Double: BinaryConvertible { var converted: Double { self } }

/// Frees a buffer the engine allocated for the caller (the indices of swiftnn_max_dim, ...).
@_cdecl("swiftnn_buffer_free")
public func swiftnn_buffer_free(_ buffer: UnsafeMutableRawPointer?) -> Int32 {
    buffer?.deallocate()
    return statusOK
}
