import SwiftNNMicroKernels

/// The instruction set the register tiles run with, chosen once per process when
/// the library loads: `SWIFTNN_ISA=baseline|avx2|avx512|auto` if set and the CPU
/// runs it (otherwise a warning on stderr and the best path), else the best path
/// this CPU supports.
public enum KernelISA: Int, CaseIterable, Sendable, CustomStringConvertible {
    case baseline = 0, avx2 = 1, avx512 = 2

    /// "baseline", "avx2", "avx512": the spelling SWIFTNN_ISA takes.
    public var description: String { String(cString: swiftnn_isa_name(Int32(rawValue))) }

    public init?(name: String) {
        let parsed = swiftnn_isa_parse(name)
        guard parsed >= 0, let isa = KernelISA(rawValue: Int(parsed)) else { return nil }
        self = isa
    }

    /// Whether this CPU (and OS) runs the path.
    public var isSupported: Bool { swiftnn_isa_supported(Int32(rawValue)) != 0 }

    /// The path in use.
    public static var active: KernelISA { KernelISA(rawValue: Int(swiftnn_isa_active())) ?? .baseline }

    /// The best path this CPU supports.
    public static var best: KernelISA { KernelISA(rawValue: Int(swiftnn_isa_best())) ?? .baseline }

    /// The paths this CPU runs, baseline first.
    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    /// Switches every kernel to `isa` (tests and benchmarks; not while kernels run).
    /// False, and nothing changes, when the CPU does not run it.
    @discardableResult
    public static func select(_ isa: KernelISA) -> Bool { swiftnn_isa_select(Int32(isa.rawValue)) == 0 }

    /// The CPU's brand string.
    public static var cpuModel: String { String(cString: swiftnn_cpu_model()) }

    /// Why the load-time choice differs from SWIFTNN_ISA, or nil.
    public static var selectionWarning: String? {
        let text = String(cString: swiftnn_isa_warning())
        return text.isEmpty ? nil : text
    }

    /// One line for version output: "CPU: AMD EPYC; kernels: avx512 (supported: baseline, avx2, avx512)".
    public static var summary: String {
        "CPU: \(cpuModel); kernels: \(active) (supported: \(supported.map(\.description).joined(separator: ", ")))"
    }
}
