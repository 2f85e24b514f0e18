/// Every error the engine reports. The C ABI maps each case to a status code and
/// the Python extension to the matching exception class.
public enum SwiftNNError: Error, CustomStringConvertible, Equatable {
    /// A wrong value or shape (Python `ValueError`).
    case invalidArgument(String)
    /// A wrong kind of object (Python `TypeError`).
    case wrongType(String)
    /// An index or dimension out of range (Python `IndexError`).
    case outOfRange(String)
    /// A file that cannot be read, written or parsed (Python `OSError`).
    case io(String)
    /// A valid request the engine cannot carry out in this state (Python `RuntimeError`).
    case runtime(String)
    /// Assigning a setting that is fixed at construction (Python `AttributeError`).
    case readOnly(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .wrongType(let m), .outOfRange(let m), .io(let m), .runtime(let m), .readOnly(let m):
            return m
        }
    }
}

/// Formats a shape the way PyTorch prints one: `[4, 5]`.
@inline(__always)
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
