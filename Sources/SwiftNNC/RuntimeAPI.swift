import SwiftNN

// Runtime settings and in-place fills behind the generated exports of
// codegen/ops.toml (thread count, profiler, init_uniform / init_normal).

/// Sets the op profiler on or off and returns its previous state.
func profilerSetEnabled(_ enabled: Bool) -> Bool {
    let previous = Profiler.isEnabled
    Profiler.isEnabled = enabled
    return previous
}

func initUniform(_ t: Tensor, low: Float, high: Float) throws {
    guard low.isFinite && high.isFinite && low <= high else {
        throw SwiftNNError.invalidArgument("uniform_ expects finite bounds with from <= to, got from=\(low), to=\(high)")
    }
    Init.uniform(t, low: low, high: high)
}

func initNormal(_ t: Tensor, mean: Float, std: Float) throws {
    guard mean.isFinite && std.isFinite && std >= 0 else {
        throw SwiftNNError.invalidArgument("normal_ expects a finite mean and std >= 0, got mean=\(mean), std=\(std)")
    }
    Init.normal(t, mean: mean, std: std)
}

/// The entries as a JSON array of {"name", "phase", "calls", "seconds"}, slowest first.
func profilerEntriesJSON() -> String {
    let entries = Profiler.entries().map { e -> JSON in
        .object([("name", .string(e.name)), ("phase", .string(e.phase.rawValue)),
                 ("calls", .number(Double(e.calls))), ("seconds", .number(e.seconds))])
    }
    return JSON.array(entries).text
}
