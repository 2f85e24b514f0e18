/// y = x·Wᵀ + b (`torch.nn.Linear`), weight [out_features, in_features].
public final class Linear: Module, ResettableParameters {
    public let inFeatures: Int
    public let outFeatures: Int
    /// The weight packed for the GEMM while in eval mode (LinearInference.swift).
    var packedWeight: PackedLinearWeight?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        guard inFeatures >= 0, outFeatures >= 0 else {
            throw SwiftNNError.invalidArgument("Linear: in_features (\(inFeatures)) and out_features (\(outFeatures)) must be non-negative")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        super.init()
        registerParameter("weight", try Tensor.zeros([outFeatures, inFeatures]))
        if bias { registerParameter("bias", try Tensor.zeros([outFeatures])) }
        try resetParameters()
    }

    /// PyTorch's reset_parameters: kaiming_uniform(a=√5) for the weight, then
    /// the bias uniform in ±1/√fan_in, in that order of random draws.
    public func resetParameters() throws {
        if inFeatures > 0 { try Init.kaimingUniform(weight, a: Float(5).squareRoot()) }
        if let bias {
            let bound = inFeatures > 0 ? 1 / Float(inFeatures).squareRoot() : 0
            Init.uniform(bias, low: -bound, high: bound)
        }
    }

    public var weight: Tensor { parameter("weight")! }
    public var bias: Tensor? { parameter("bias") }

    public override func forward(_ input: Tensor) throws -> Tensor {
        if let out = try packedForward(input) { return out }
        return try input.linear(weight: weight, bias: bias)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("in_features", inFeatures), ModuleOption("out_features", outFeatures)]
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}
