/// The processes of one data-parallel job, as the engine sees them: a rank, a size and
/// three float32 collectives. The engine carries no transport of its own; the host supplies
/// the collectives (the Python package calls MPI through mpi4py's library, a C caller may use
/// anything), so SyncBatchNorm and gradient buckets run inside forward and backward without
/// returning to the host.
public final class ProcessGroup {
    public enum Collective {
        /// Σ over ranks into `buffer`, in place (every rank gets the same sums).
        case allReduceSum
        /// Rank r's `count` values land at `receive[r·count ..< (r+1)·count]` on every rank.
        case allGather
        /// Rank `root`'s values into `buffer` on every rank.
        case broadcast(root: Int)
    }

    /// Runs one collective over `count` floats; `send` is nil for the in-place ones. Throws on failure.
    public typealias Transport = (_ collective: Collective, _ send: UnsafePointer<Float>?,
                                  _ buffer: UnsafeMutablePointer<Float>, _ count: Int) throws -> Void

    public let rank: Int
    public let size: Int
    private let transport: Transport

    /// What the collectives cost so far: wall time spent in them, calls, floats sent per rank.
    public struct Traffic { public var seconds = 0.0, calls = 0, floats = 0 }
    public private(set) var traffic = Traffic()

    public init(rank: Int, size: Int, transport: @escaping Transport) throws {
        guard size >= 1, rank >= 0, rank < size else {
            throw SwiftNNError.invalidArgument("process group: rank \(rank) is not in a world of size \(size)")
        }
        self.rank = rank
        self.size = size
        self.transport = transport
    }

    /// Σ over ranks, in place.
    public func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        if size > 1 && count > 0 { try timed(count) { try transport(.allReduceSum, nil, buffer, count) } }
    }

    /// Every rank's `count` values, rank after rank, into `receive` (size·count floats).
    public func allGather(_ send: UnsafePointer<Float>, count: Int, into receive: UnsafeMutablePointer<Float>) throws {
        if size == 1 {
            receive.update(from: send, count: count)
        } else if count > 0 {
            try timed(count) { try transport(.allGather, send, receive, count) }
        }
    }

    /// Rank `root`'s values into `buffer` on every rank.
    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int = 0) throws {
        guard root >= 0 && root < size else {
            throw SwiftNNError.invalidArgument("broadcast: root \(root) is not a rank of a world of size \(size)")
        }
        if size > 1 && count > 0 { try timed(count) { try transport(.broadcast(root: root), nil, buffer, count) } }
    }

    public func resetTraffic() { traffic = Traffic() }

    /// Runs one collective, counting its time (also in the profiler's table as "Collective").
    private func timed(_ count: Int, _ body: () throws -> Void) throws {
        let start = Profiler.now()
        try Profiler.measure("Collective", .backward, body)
        traffic.seconds += Profiler.now() - start
        traffic.calls += 1
        traffic.floats += count
    }

    /// Σ over ranks of `values`, each term in Double and added in rank order, so every rank
    /// gets bitwise the same totals whatever the transport's reduction order.
    func orderedSums(_ values: [Float]) throws -> [Double] {
        let gathered = try allGathered(values)
        var totals = [Double](repeating: 0, count: values.count)
        for r in 0..<size {
            for i in values.indices { totals[i] += Double(gathered[r &* values.count &+ i]) }
        }
        return totals
    }

    /// `values` of every rank, rank after rank.
    func allGathered(_ values: [Float]) throws -> [Float] {
        var gathered = [Float](repeating: 0, count: values.count &* size)
        try values.withUnsafeBufferPointer { send in
            try gathered.withUnsafeMutableBufferPointer { receive in
                guard let s = send.baseAddress, let r = receive.baseAddress else { return }
                try allGather(s, count: values.count, into: r)
            }
        }
        return gathered
    }
}
