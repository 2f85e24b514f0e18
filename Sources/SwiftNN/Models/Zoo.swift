/// Builds zoo models by name, for the CLI and the C ABI.
public enum Zoo {
    public static let names = ["MLPnet"]

    public static func make(_ name: String) throws -> Module {
        switch name.lowercased() {
        case "mlpnet": return try MLPnet()
        default:
            throw SwiftNNError.invalidArgument("unknown model '\(name)'; available: \(names.joined(separator: ", "))")
        }
    }
}
