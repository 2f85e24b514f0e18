/// `torch.nn.LayerNorm`: normalizes over the trailing `normalizedShape`
/// dimensions, with elementwise weight (ones) and bias (zeros).
public final class LayerNorm: Module {
    public let normalizedShape: [Int]
    public let eps: Float
    public let elementwiseAffine: Bool

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }) else {
            throw SwiftNNError.invalidArgument("LayerNorm: normalized_shape must be a non-empty list of positive sizes, got \(describe(normalizedShape))")
        }
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        super.init()
        if elementwiseAffine {
            registerParameter("weight", try Tensor.ones(normalizedShape))
            if bias { registerParameter("bias", try Tensor.zeros(normalizedShape)) }
        }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape: normalizedShape, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }

    public override var extraDescription: String {
        "(\(normalizedShape.map(String.init).joined(separator: ", "))\(normalizedShape.count == 1 ? "," : "")), "
            + "eps=\(eps), elementwise_affine=\(elementwiseAffine ? "True" : "False")"
    }
}

/// `torch.nn.LocalResponseNorm` across channels.
public final class LocalResponseNorm: Module {
    public let size: Int
    public let alpha: Float
    public let beta: Float
    public let k: Float

    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) throws {
        guard size >= 1 else { throw SwiftNNError.invalidArgument("LocalResponseNorm: size must be positive, got \(size)") }
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.localResponseNorm(size: size, alpha: alpha, beta: beta, k: k)
    }

    public override var extraDescription: String { "\(size), alpha=\(alpha), beta=\(beta), k=\(k)" }
}
