#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where `SizeArithmetic.reserve` publishes its probe's address: without an escape
/// the optimizer deletes the unused malloc/free pair, and the probe tests nothing.
private let probeSink = Atomic<UInt>(0)

/// Arithmetic on sizes that come from the caller (kernel sizes, strides,
/// paddings, dilations, output sizes): an overflow is a `ValueError`-class
/// error, never a trap. Swift's `+`/`*` trap on overflow (SIGILL) and `&+`/`&*`
/// wrap silently into nonsense sizes, so neither may see an unchecked value.
enum SizeArithmetic {
    /// The largest kernel size, stride, padding, dilation or output size accepted
    /// (the C ABI passes them as int64; PyTorch itself keeps them in int32 range).
    static let maxWindowValue = Int(Int32.max)
    /// The largest adaptive-pooling output per dimension: its window tables are built
    /// before any tensor, in memory that grows with this size, not with the input.
    static let maxAdaptiveOutput = 1 << 20

    /// Rejects a window argument outside [minimum, maxWindowValue].
    static func check(_ pair: Pair, _ name: String, in op: String, minimum: Int,
                      maximum: Int = maxWindowValue) throws {
        guard pair.h >= minimum, pair.w >= minimum, pair.h <= maximum, pair.w <= maximum else {
            let bound = minimum > 0 ? "positive" : "non-negative"
            throw SwiftNNError.invalidArgument(
                "\(op): \(name) must be \(bound) and at most \(maximum), got (\(pair.h), \(pair.w))")
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

    /// Swift arrays trap when memory runs out. Before an array sized by the caller's
    /// arguments (pooling divisors, argmax indices) is made, its bytes are tried with
    /// malloc, so running out is an error instead of an abort.
    static func reserve<T>(_ count: Int, of type: T.Type, _ what: @autoclosure () -> String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, let probe = malloc(max(bytes, 1)) else {
            throw SwiftNNError.runtime("\(what()): cannot allocate \(count) \(T.self) values")
        }
        probeSink.store(UInt(bitPattern: probe), ordering: .relaxed)
        free(probe)
    }

    private static func tooLarge(_ what: String) -> SwiftNNError {
        .invalidArgument("\(what) is too large (integer overflow)")
    }
}
