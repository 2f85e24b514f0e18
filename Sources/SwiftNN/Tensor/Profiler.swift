#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time and calls per op type, forward and backward, so the slow part of a model is
/// visible (`SWIFTNN_PROFILE=1`, `swiftnn.profile()`). Forward time is taken per leaf
/// module (a layer without children), backward time per autograd node. Off by default;
/// when off it costs one branch per call.
public enum Profiler {
    public enum Phase: String { case forward, backward }

    public struct Entry {
        public let name: String
        public let phase: Phase
        public var calls: Int
        public var seconds: Double
    }

    nonisolated(unsafe) private static var enabledFlag: Bool = getenv("SWIFTNN_PROFILE").map { String(cString: $0) != "0" } ?? false
    nonisolated(unsafe) private static var table: [String: Entry] = [:]
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    public static var isEnabled: Bool {
        get { enabledFlag }
        set { enabledFlag = newValue }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body`, charging its time to `name` when profiling is on.
    @inline(__always)
    public static func measure<T>(_ name: @autoclosure () -> String, _ phase: Phase, _ body: () throws -> T) rethrows -> T {
        guard enabledFlag else { return try body() }
        let start = now()
        let result = try body()
        add(name(), phase, now() - start)
        return result
    }

    static func add(_ name: String, _ phase: Phase, _ seconds: Double) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let key = phase.rawValue + ":" + name
        table[key, default: Entry(name: name, phase: phase, calls: 0, seconds: 0)].calls += 1
        table[key]!.seconds += seconds
    }

    /// Every entry, slowest first.
    public static func entries() -> [Entry] {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return table.values.sorted { $0.seconds > $1.seconds }
    }

    public static func reset() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        table.removeAll()
    }

    /// A text table: op, phase, calls, total ms, share of the total.
    public static func report() -> String {
        let all = entries()
        let total = all.reduce(0) { $0 + $1.seconds }
        var lines = [pad("op", 28) + pad("phase", 10) + pad("calls", 8, right: true) + pad("total ms", 12, right: true)
                     + pad("%", 7, right: true)]
        for e in all {
            let ms = (e.seconds * 1e5).rounded() / 100
            let share = total > 0 ? (e.seconds / total * 1000).rounded() / 10 : 0
            lines.append(pad(e.name, 28) + pad(e.phase.rawValue, 10) + pad("\(e.calls)", 8, right: true)
                         + pad("\(ms)", 12, right: true) + pad("\(share)", 7, right: true))
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}
