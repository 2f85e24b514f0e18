/// The rest of `torch.nn.init`: gains, Kaiming (normal and uniform, either
/// fan) and Xavier initialisers, all in place from the default generator.
extension Init {
    public enum FanMode: String { case fanIn = "fan_in", fanOut = "fan_out" }

    /// PyTorch's `calculate_gain` table; `param` is leaky_relu's negative slope (default 0.01).
    public static func gain(_ nonlinearity: String, param: Float? = nil) throws -> Float {
        switch nonlinearity {
        case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
            return 1
        case "tanh": return 5.0 / 3
        case "relu": return Float(2).squareRoot()
        case "leaky_relu":
            let slope = param ?? 0.01
            return (2 / (1 + slope * slope)).squareRoot()
        case "selu": return 3.0 / 4
        default: throw SwiftNNError.invalidArgument("Unsupported nonlinearity \(nonlinearity)")
        }
    }

    private static func kaimingStd(_ t: Tensor, a: Float, mode: FanMode, nonlinearity: String) throws -> Float {
        let f = try fans(t.shape)
        let fan = mode == .fanIn ? f.fanIn : f.fanOut
        guard fan > 0 else { throw SwiftNNError.invalidArgument("Initializing zero-element tensors is a no-op") }
        return try gain(nonlinearity, param: a) / Float(fan).squareRoot()
    }

    /// Uniform in ±gain·√(3/fan).
    public static func kaimingUniform(_ t: Tensor, a: Float, mode: FanMode, nonlinearity: String = "leaky_relu") throws {
        let bound = Float(3).squareRoot() * (try kaimingStd(t, a: a, mode: mode, nonlinearity: nonlinearity))
        uniform(t, low: -bound, high: bound)
    }

    /// Normal with std gain/√fan.
    public static func kaimingNormal(_ t: Tensor, a: Float = 0, mode: FanMode = .fanIn, nonlinearity: String = "leaky_relu") throws {
        normal(t, mean: 0, std: try kaimingStd(t, a: a, mode: mode, nonlinearity: nonlinearity))
    }

    private static func xavierStd(_ t: Tensor, gain: Float) throws -> Float {
        let f = try fans(t.shape)
        guard f.fanIn + f.fanOut > 0 else { throw SwiftNNError.invalidArgument("Initializing zero-element tensors is a no-op") }
        return gain * (2 / Float(f.fanIn + f.fanOut)).squareRoot()
    }

    /// Uniform in ±gain·√(6/(fan_in + fan_out)).
    public static func xavierUniform(_ t: Tensor, gain: Float = 1) throws {
        let bound = Float(3).squareRoot() * (try xavierStd(t, gain: gain))
        uniform(t, low: -bound, high: bound)
    }

    /// Normal with std gain·√(2/(fan_in + fan_out)).
    public static func xavierNormal(_ t: Tensor, gain: Float = 1) throws {
        normal(t, mean: 0, std: try xavierStd(t, gain: gain))
    }
}
