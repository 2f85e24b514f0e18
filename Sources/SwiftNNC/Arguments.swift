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
