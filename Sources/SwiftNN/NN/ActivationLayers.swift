/// LeakyReLU, GELU, SiLU and Dropout2d layers over their tensor ops.
public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope; super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.leakyRelu(negativeSlope: negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)" }
}

public final class GELU: Module {
    public let approximate: String
    public init(approximate: String = "none") throws {
        guard approximate == "none" || approximate == "tanh" else {
            throw SwiftNNError.invalidArgument("GELU: approximate must be 'none' or 'tanh', got '\(approximate)'")
        }
        self.approximate = approximate
        super.init()
    }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.gelu(approximate: approximate) }
    public override var extraDescription: String { "approximate='\(approximate)'" }
}

public final class SiLU: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.silu() }
}

/// Zeroes whole channels with probability `p` in training, scaling kept ones by 1/(1−p).
public final class Dropout2d: Module {
    public let p: Float

    public init(p: Float = 0.5) throws {
        self.p = try checkedDropoutProbability(p)
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.dropout2d(p: p, training: training) }
    public override var extraDescription: String { "p=\(p), inplace=False" }
}
