/// Arithmetic on sizes that come from the caller (kernel sizes, strides,
/// paddings, dilations, output sizes): an overflow is a `ValueError`-class
/// error, never a trap. Swift's `+`/`*` trap on overflow (SIGILL) and `&+`/`&*`
/// wrap silently into nonsense sizes, so neither may see an unchecked value.
enum SizeArithmetic {
    /// The largest kernel size, stride, padding, dilation or output size accepted
    /// (the C ABI passes them as int64; PyTorch itself keeps them in int32 range).
    static let maxWindowValue = Int(Int32.max)

    /// Rejects a window argument outside [minimum, maxWindowValue].
    static func check(_ value: Int, _ name: String, in op: String, minimum: Int) throws {
        guard value >= minimum, value <= maxWindowValue else {
            let bound = minimum > 0 ? "positive" : "non-negative"
            throw SwiftNNError.invalidArgument(
                "\(op): \(name) must be \(bound) and at most \(maxWindowValue), got \(value)")
        }
    }

    static func check(_ pair: Pair, _ name: String, in op: String, minimum: Int) throws {
        guard pair.h >= minimum, pair.w >= minimum, pair.h <= maxWindowValue, pair.w <= maxWindowValue else {
            let bound = minimum > 0 ? "positive" : "non-negative"
            throw SwiftNNError.invalidArgument(
                "\(op): \(name) must be \(bound) and at most \(maxWindowValue), got (\(pair.h), \(pair.w))")
        }
    }

    static func product(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw tooLarge(what()) }
        return value
    }

    static func sum(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw tooLarge(what()) }
        return value
    }

    static func difference(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (value, overflow) = a.subtractingReportingOverflow(b)
        guard !overflow else { throw tooLarge(what()) }
        return value
    }

    /// The extent of a window: dilation·(kernel − 1) + 1.
    static func span(kernel: Int, dilation: Int, _ what: @autoclosure () -> String) throws -> Int {
        try sum(try product(dilation, kernel - 1, what()), 1, what())
    }

    /// Rejects an output whose element count would not fit in a tensor, before any
    /// per-output bookkeeping (window tables, argmax arrays) is allocated.
    static func checkOutput(_ shape: [Int], _ op: String) throws {
        do { try validateShape(shape) } catch {
            throw SwiftNNError.invalidArgument("\(op): the output size \(describe(shape)) is too large")
        }
    }

    private static func tooLarge(_ what: String) -> SwiftNNError {
        .invalidArgument("\(what) is too large (integer overflow)")
    }
}
