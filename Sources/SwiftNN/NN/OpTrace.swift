#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records every op a forward pass runs on this thread (its kind, attributes, input
/// and output tensors and the output's shape) while a trace is active, so a model
/// whose forward is Swift code (the zoo's residual adds, concatenations, fused
/// BN+ReLU over DenseNet's feature lists) can be written out as a graph (ONNX).
///
/// Values are numbered in the order the trace first meets them. Tensors no recorded
/// op produced (the input, parameters, buffers, constants) are the graph's leaves;
/// the exporter names them by comparing with the model's state dict. The trace keeps
/// every tensor it saw alive, so an identity is never reused while it records.
/// An op built from other ops records them too; the exporter keeps only the nodes
/// the output depends on.
public final class OpTrace {
    public enum Attribute {
        case int(Int), ints([Int]), float(Float), string(String), bool(Bool)

        var json: JSON {
            switch self {
            case .int(let v): return .number(Double(v))
            case .ints(let v): return .array(v.map { .number(Double($0)) })
            case .float(let v): return .number(Double(v))
            case .string(let v): return .string(v)
            case .bool(let v): return .bool(v)
            }
        }
    }

    public struct Node {
        public let kind: String
        /// Value ids of the inputs in the op's order; nil where an optional input is absent.
        public let inputs: [Int?]
        public let output: Int
        public let attributes: [(String, Attribute)]
    }

    public private(set) var nodes: [Node] = []
    /// Every tensor met, by value id.
    public private(set) var tensors: [Tensor] = []
    private var ids: [ObjectIdentifier: Int] = [:]
    /// Value id -> index of the node that produced it.
    private var producers: [Int: Int] = [:]
    private var aliases: [Tensor] = []
    private let thread = pthread_self()

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The trace recording on this thread, if any (unretained: `begin`/`end` pair it).
    static var active: OpTrace? {
        pthread_getspecific(key).map { Unmanaged<OpTrace>.fromOpaque($0).takeUnretainedValue() }
    }

    private init() {}

    /// Starts recording the ops of this thread. The caller keeps the trace and calls `end`.
    public static func begin() throws -> OpTrace {
        guard active == nil else { throw SwiftNNError.runtime("an op trace is already recording on this thread") }
        let trace = OpTrace()
        pthread_setspecific(key, Unmanaged.passUnretained(trace).toOpaque())
        return trace
    }

    /// Stops recording (on the thread that began it).
    public func end() throws {
        guard pthread_equal(pthread_self(), thread) != 0, OpTrace.active === self else {
            throw SwiftNNError.runtime("this op trace is not recording on the calling thread")
        }
        pthread_setspecific(OpTrace.key, nil)
    }

    /// Runs `body` with a trace recording and returns both.
    public static func run<T>(_ body: () throws -> T) throws -> (result: T, trace: OpTrace) {
        let trace = try begin()
        defer { try? trace.end() }
        return (try withExtendedLifetime(trace) { try body() }, trace)
    }

    /// The value id of `tensor`, if the trace met it.
    public func id(of tensor: Tensor) -> Int? { ids[ObjectIdentifier(tensor)] }

    private func value(_ tensor: Tensor) -> Int {
        if let id = ids[ObjectIdentifier(tensor)] { return id }
        tensors.append(tensor)
        ids[ObjectIdentifier(tensor)] = tensors.count - 1
        return tensors.count - 1
    }

    /// Called by an op after computing `output`, with the attributes an exporter needs;
    /// replaces what `recordUnlessKnown` noted for the same output. Free when no trace is active.
    static func record(_ kind: String, _ inputs: @autoclosure () -> [Tensor?], _ output: Tensor,
                       _ attributes: @autoclosure () -> [(String, Attribute)] = []) {
        guard let trace = active else { return }
        trace.add(Node(kind: kind, inputs: inputs().map { $0.map(trace.value) }, output: trace.value(output),
                       attributes: attributes()), replacing: true)
    }

    /// Called by every differentiable op (`Tensor.recording`) with its autograd name
    /// ("AddBackward" becomes "Add"): ops without attributes need nothing more, and an op
    /// no exporter knows still shows up by name instead of becoming a constant.
    static func recordUnlessKnown(_ gradName: String, _ inputs: [Tensor], _ output: Tensor) {
        guard let trace = active else { return }
        let kind = gradName.hasSuffix("Backward") ? String(gradName.dropLast("Backward".count)) : gradName
        trace.add(Node(kind: kind, inputs: inputs.map(trace.value), output: trace.value(output), attributes: []),
                  replacing: false)
    }

    /// Makes `alias` stand for the value `original` holds: an in-place op computes
    /// `original` and hands back another tensor over the overwritten storage. Free when
    /// no trace is active.
    static func alias(_ alias: Tensor, to original: Tensor) {
        guard let trace = active, let id = trace.ids[ObjectIdentifier(original)] else { return }
        trace.aliases.append(alias)  // kept alive, so its identity is not reused while recording
        trace.ids[ObjectIdentifier(alias)] = id
    }

    private func add(_ node: Node, replacing: Bool) {
        if let index = producers[node.output] {
            if replacing { nodes[index] = node }
            return
        }
        producers[node.output] = nodes.count
        nodes.append(node)
    }

    /// `{"nodes": [{"op", "inputs", "output", "attrs"}...], "values": [{"id", "shape", "leaf"}...]}`.
    public var json: String {
        let nodeList = nodes.map { node in
            JSON.object([
                ("op", .string(node.kind)),
                ("inputs", .array(node.inputs.map { $0.map { .number(Double($0)) } ?? .null })),
                ("output", .number(Double(node.output))),
                ("attrs", .object(node.attributes.map { ($0.0, $0.1.json) })),
            ])
        }
        let values = tensors.enumerated().map { id, tensor in
            JSON.object([("id", .number(Double(id))), ("shape", .array(tensor.shape.map { .number(Double($0)) })),
                         ("leaf", .bool(producers[id] == nil))])
        }
        return JSON.object([("nodes", .array(nodeList)), ("values", .array(values))]).text
    }
}
