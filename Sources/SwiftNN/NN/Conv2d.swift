/// 2-D convolution (`torch.nn.Conv2d`): weight [out, in/groups, kh, kw], bias [out].
public final class Conv2d: Module, ResettableParameters {
    public let inChannels: Int, outChannels: Int
    public let kernelSize: Pair, stride: Pair, padding: ConvPadding, dilation: Pair
    public let groups: Int
    /// The weights with the following eval-mode BatchNorm folded in (ConvBatchNormFolding.swift).
    var folded: FoldedConvolution?

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Pair, stride: Pair = Pair(1),
                padding: ConvPadding = .explicit(0, 0), dilation: Pair = Pair(1), groups: Int = 1,
                bias: Bool = true) throws {
        guard inChannels > 0, outChannels > 0 else {
            throw SwiftNNError.invalidArgument("Conv2d: in_channels (\(inChannels)) and out_channels (\(outChannels)) must be positive")
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw SwiftNNError.invalidArgument(
                "Conv2d: in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))")
        }
        try SizeArithmetic.check(kernelSize, "kernel_size", in: "Conv2d", minimum: 1)
        try SizeArithmetic.check(stride, "stride", in: "Conv2d", minimum: 1)
        try SizeArithmetic.check(dilation, "dilation", in: "Conv2d", minimum: 1)
        if case .explicit(let ph, let pw) = padding {
            try SizeArithmetic.check(Pair(ph, pw), "padding", in: "Conv2d", minimum: 0)
        }
        if padding == .same && stride != Pair(1) {
            throw SwiftNNError.invalidArgument("Conv2d: padding='same' is not supported for strided convolutions")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
        registerParameter("weight", try Tensor.zeros([outChannels, inChannels / groups, kernelSize.h, kernelSize.w]))
        if bias { registerParameter("bias", try Tensor.zeros([outChannels])) }
        try resetParameters()
    }

    /// PyTorch's reset_parameters: kaiming_uniform(a=√5), then bias uniform in ±1/√fan_in.
    public func resetParameters() throws {
        try Init.kaimingUniform(weight, a: Float(5).squareRoot())
        if let bias {
            let bound = 1 / Float(try Init.fans(weight.shape).fanIn).squareRoot()
            Init.uniform(bias, low: -bound, high: bound)
        }
    }

    public var weight: Tensor { parameter("weight")! }
    public var bias: Tensor? { parameter("bias") }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("in_channels", inChannels), ModuleOption("out_channels", outChannels),
         ModuleOption("kernel_size", kernelSize), ModuleOption("stride", stride), ModuleOption("padding", padding),
         ModuleOption("dilation", dilation), ModuleOption("groups", groups), ModuleOption("padding_mode", "zeros")]
    }

    public override var extraDescription: String {
        var text = "\(inChannels), \(outChannels), kernel_size=\(describePair(kernelSize)), stride=\(describePair(stride))"
        switch padding {
        case .explicit(let h, let w): if h != 0 || w != 0 { text += ", padding=\(describePair(Pair(h, w)))" }
        case .same: text += ", padding=same"
        case .valid: text += ", padding=valid"
        }
        if dilation != Pair(1) { text += ", dilation=\(describePair(dilation))" }
        if groups != 1 { text += ", groups=\(groups)" }
        if bias == nil { text += ", bias=False" }
        return text
    }
}

/// PyTorch prints pairs as tuples: `(3, 3)`.
func describePair(_ p: Pair) -> String { "(\(p.h), \(p.w))" }
