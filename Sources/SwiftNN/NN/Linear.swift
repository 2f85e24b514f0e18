/// y = x·Wᵀ + b (`torch.nn.Linear`), weight [out_features, in_features].
public final class Linear: Module {
    public let inFeatures: Int
    public let outFeatures: Int

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        guard inFeatures >= 0, outFeatures >= 0 else {
            throw SwiftNNError.invalidArgument("Linear: in_features (\(inFeatures)) and out_features (\(outFeatures)) must be non-negative")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        super.init()
        // PyTorch's reset_parameters: kaiming_uniform(a=√5) for the weight, then
        // the bias uniform in ±1/√fan_in, in that order of random draws.
        let weight = try Tensor.zeros([outFeatures, inFeatures])
        if inFeatures > 0 { try Init.kaimingUniform(weight, a: Float(5).squareRoot()) }
        registerParameter("weight", weight)
        if bias {
            let b = try Tensor.zeros([outFeatures])
            let bound = inFeatures > 0 ? 1 / Float(inFeatures).squareRoot() : 0
            Init.uniform(b, low: -bound, high: bound)
            registerParameter("bias", b)
        }
    }

    public var weight: Tensor { parameter("weight")! }
    public var bias: Tensor? { parameter("bias") }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}
