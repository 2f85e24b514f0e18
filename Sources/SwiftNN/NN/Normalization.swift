/// `torch.nn.LayerNorm`: normalizes over the trailing `normalizedShape`
/// dimensions, with elementwise weight (ones) and bias (zeros).
public final class LayerNorm: Module, ResettableParameters {
    public let normalizedShape: [Int]
    public var eps: Float
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

    /// Weight ones, bias zeros.
    public func resetParameters() {
        parameter("weight").map { Init.constant($0, 1) }
        parameter("bias").map { Init.constant($0, 0) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape: normalizedShape, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("normalized_shape", normalizedShape), ModuleOption("eps", eps) { self.eps = try checkedEps($0) },
         ModuleOption("elementwise_affine", elementwiseAffine)]
    }

    public override var extraDescription: String {
        "(\(normalizedShape.map(String.init).joined(separator: ", "))\(normalizedShape.count == 1 ? "," : "")), "
            + "eps=\(eps), elementwise_affine=\(elementwiseAffine ? "True" : "False")"
    }
}

/// `torch.nn.LocalResponseNorm` across channels.
public final class LocalResponseNorm: Module {
    public var size: Int
    public var alpha: Float
    public var beta: Float
    public var k: Float

    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) throws {
        self.size = try LocalResponseNorm.checkedSize(size)
        self.alpha = alpha
        self.beta = beta
        self.k = k
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.localResponseNorm(size: size, alpha: alpha, beta: beta, k: k)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("size", size) { self.size = try LocalResponseNorm.checkedSize($0) },
         ModuleOption("alpha", alpha) { self.alpha = $0 }, ModuleOption("beta", beta) { self.beta = $0 },
         ModuleOption("k", k) { self.k = $0 }]
    }

    private static func checkedSize(_ size: Int) throws -> Int {
        guard size >= 1 else { throw SwiftNNError.invalidArgument("LocalResponseNorm: size must be positive, got \(size)") }
        return size
    }

    public override var extraDescription: String { "\(size), alpha=\(alpha), beta=\(beta), k=\(k)" }
}
