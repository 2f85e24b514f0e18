#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records what every leaf module (one without children) returns during a forward
/// pass: its dotted path under the traced root, type name, output shape and own
/// parameter count. `swiftnn.summary` builds its table from these rows. Containers
/// (Sequential) are left out even when empty, as torchsummary leaves them out.
/// The trace is per thread, so forwards on other threads are not recorded.
public final class ForwardTrace {
    public struct Row: Equatable {
        public let name: String
        public let typeName: String
        public let shape: [Int]
        public let parameterCount: Int
    }

    public private(set) var rows: [Row] = []
    private let names: [ObjectIdentifier: String]

    private init(root: Module) {
        var names: [ObjectIdentifier: String] = [:]
        for (name, module) in root.namedModules() where names[ObjectIdentifier(module)] == nil {
            names[ObjectIdentifier(module)] = name
        }
        self.names = names
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The trace recording on this thread, if any (unretained: `run` keeps it alive).
    static var active: ForwardTrace? {
        pthread_getspecific(key).map { Unmanaged<ForwardTrace>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Runs `root(input)` and returns its output with one row per leaf module call, in call order.
    public static func run(_ root: Module, _ input: Tensor) throws -> (output: Tensor, rows: [Row]) {
        let trace = ForwardTrace(root: root)
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(trace).toOpaque())
        defer { pthread_setspecific(key, previous) }
        let output = try withExtendedLifetime(trace) { try root(input) }
        return (output, trace.rows)
    }

    func record(_ module: Module, _ output: Tensor) {
        if module is Sequential { return }  // an empty Sequential (identity shortcut) is a container, as in torchsummary
        let count = module.parameters().reduce(0) { $0 + $1.count }
        rows.append(Row(name: names[ObjectIdentifier(module)] ?? module.typeName, typeName: module.typeName,
                        shape: output.shape, parameterCount: count))
    }

    /// `[{"name": …, "type": …, "shape": […], "params": …}, …]`.
    public static func json(_ rows: [Row]) -> String {
        JSON.array(rows.map { row in
            .object([("name", .string(row.name)), ("type", .string(row.typeName)),
                     ("shape", .array(row.shape.map { .number(Double($0)) })),
                     ("params", .number(Double(row.parameterCount)))])
        }).text
    }
}
