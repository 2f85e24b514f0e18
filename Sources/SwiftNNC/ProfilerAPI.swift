import SwiftNN

// The op profiler (SWIFTNN_PROFILE=1 or swiftnn.profile()).

@_cdecl("swiftnn_profiler_set_enabled")
public func swiftnn_profiler_set_enabled(_ enabled: Int32, _ previous: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        previous?.pointee = Profiler.isEnabled ? 1 : 0
        Profiler.isEnabled = enabled != 0
    }
}

@_cdecl("swiftnn_profiler_reset")
public func swiftnn_profiler_reset() -> Int32 {
    guarded { Profiler.reset() }
}

/// The entries as a JSON array of {"name", "phase", "calls", "seconds"}, slowest first.
@_cdecl("swiftnn_profiler_entries")
public func swiftnn_profiler_entries(_ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
                                     _ length: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let entries = Profiler.entries().map { e -> JSON in
            .object([("name", .string(e.name)), ("phase", .string(e.phase.rawValue)),
                     ("calls", .number(Double(e.calls))), ("seconds", .number(e.seconds))])
        }
        writeString(JSON.array(entries).text, buf, capacity, length)
    }
}
