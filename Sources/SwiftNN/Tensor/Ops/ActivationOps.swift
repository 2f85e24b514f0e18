#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// leaky_relu, gelu (exact and tanh), silu and channel-wise dropout.
extension Tensor {
    public func leakyRelu(negativeSlope: Float = 0.01) throws -> Tensor {
        let input = self
        let out = try mapped { $0 > 0 ? $0 : $0 * negativeSlope }.recording("LeakyReluBackward", inputs: [self]) { g, _ in
            [try g.zipped(input) { $1 > 0 ? $0 : $0 * negativeSlope }]
        }
        OpTrace.record("leaky_relu", [self], out, [("negative_slope", .float(negativeSlope))])
        return out
    }

    /// x·Φ(x) with the exact normal CDF ("none") or PyTorch's tanh approximation ("tanh").
    public func gelu(approximate: String = "none") throws -> Tensor {
        let out = try geluValues(approximate: approximate)
        OpTrace.record("gelu", [self], out, [("approximate", .string(approximate))])
        return out
    }

    private func geluValues(approximate: String) throws -> Tensor {
        let input = self
        let c = Float(2 / Double.pi).squareRoot(), a: Float = 0.044715
        switch approximate {
        case "none":
            return try mapped(.gelu).recording("GeluBackward", inputs: [self]) { g, _ in
                [try g.zipped(input, .geluBackward)]
            }
        case "tanh":
            return try mappedInParallel { 0.5 * $0 * (1 + tanhf(c * ($0 + a * $0 * $0 * $0))) }
                .recording("GeluBackward", inputs: [self]) { g, _ in
                    [try g.zippedInParallel(input) { g, x in
                        let t = tanhf(c * (x + a * x * x * x))
                        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x * x))
                    }]
                }
        default:
            throw SwiftNNError.invalidArgument("gelu: approximate must be 'none' or 'tanh', got '\(approximate)'")
        }
    }

    /// x·sigmoid(x).
    public func silu() throws -> Tensor {
        let input = self
        return try mappedInParallel { $0 / (1 + expf(-$0)) }.recording("SiluBackward", inputs: [self]) { g, _ in
            [try g.zippedInParallel(input) { g, x in
                let s = 1 / (1 + expf(-x))
                return g * s * (1 + x * (1 - s))
            }]
        }
    }

    /// Zeroes whole channels (every [n, c] slice of an [N, C, H, W] or [N, C, L]
    /// input) with probability p and scales kept channels by 1/(1−p).
    public func dropout2d(p: Float, training: Bool) throws -> Tensor {
        _ = try checkedDropoutProbability(p)
        guard rank == 3 || rank == 4 else {
            throw SwiftNNError.invalidArgument("dropout2d: expected a 3D or 4D input, got shape \(describe(shape))")
        }
        if !training || p == 0 { return self }
        let keep = 1 - p
        let scale: Float = p == 1 ? 0 : 1 / keep
        let mask = try Tensor(uninitializedShape: Array(shape[..<2]) + [Int](repeating: 1, count: rank - 2))
        DefaultGenerator.withGenerator { rng in
            for i in 0..<mask.count { mask.data[i] = rng.nextUniform() < keep ? scale : 0 }
        }
        return try broadcastCombine(mask, .mul).recording("Dropout2dBackward", inputs: [self], saving: []) { g, _ in
            [try g.broadcastCombine(mask, .mul)]
        }
    }
}

/// `p` if it is a valid dropout probability (0...1), else PyTorch's error.
func checkedDropoutProbability(_ p: Float) throws -> Float {
    guard p >= 0 && p <= 1 else {
        throw SwiftNNError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
    }
    return p
}
