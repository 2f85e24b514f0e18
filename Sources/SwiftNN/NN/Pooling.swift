/// Pooling layers (`torch.nn.MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`, `AdaptiveMaxPool2d`).
public final class MaxPool2d: Module {
    public let kernelSize: Pair, stride: Pair, padding: Pair, dilation: Pair
    public var ceilMode: Bool

    public init(kernelSize: Pair, stride: Pair? = nil, padding: Pair = Pair(0), dilation: Pair = Pair(1),
                ceilMode: Bool = false) throws {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
        try checkPoolArguments("MaxPool2d", kernelSize, self.stride, padding, dilation)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("kernel_size", json: square(kernelSize)), ModuleOption("stride", json: square(stride)),
         ModuleOption("padding", json: square(padding)), ModuleOption("dilation", json: square(dilation)),
         ModuleOption("ceil_mode", ceilMode) { self.ceilMode = $0 }]
    }

    public override var extraDescription: String {
        "kernel_size=\(describeSquare(kernelSize)), stride=\(describeSquare(stride)), padding=\(describeSquare(padding)), "
            + "dilation=\(describeSquare(dilation)), ceil_mode=\(ceilMode ? "True" : "False")"
    }
}

public final class AvgPool2d: Module {
    public let kernelSize: Pair, stride: Pair, padding: Pair
    public var ceilMode: Bool, countIncludePad: Bool
    public private(set) var divisorOverride: Int?

    public init(kernelSize: Pair, stride: Pair? = nil, padding: Pair = Pair(0), ceilMode: Bool = false,
                countIncludePad: Bool = true, divisorOverride: Int? = nil) throws {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisorOverride = try checkedDivisor(divisorOverride)
        super.init()
        try checkPoolArguments("AvgPool2d", kernelSize, self.stride, padding, Pair(1))
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.avgPool2d(kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                            countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }

    public override var options: [ModuleOption] {
        [ModuleOption("kernel_size", json: square(kernelSize)), ModuleOption("stride", json: square(stride)),
         ModuleOption("padding", json: square(padding)), ModuleOption("ceil_mode", ceilMode) { self.ceilMode = $0 },
         ModuleOption("count_include_pad", countIncludePad) { self.countIncludePad = $0 },
         ModuleOption("divisor_override", divisorOverride) { self.divisorOverride = try checkedDivisor($0) }]
    }

    public override var extraDescription: String {
        "kernel_size=\(describeSquare(kernelSize)), stride=\(describeSquare(stride)), padding=\(describeSquare(padding))"
    }
}

public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int?, Int?)

    public init(outputSize: (Int?, Int?)) throws {
        self.outputSize = outputSize
        super.init()
        try checkAdaptiveSize("AdaptiveAvgPool2d", outputSize)
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.adaptiveAvgPool2d(outputSize: outputSize) }
    public override var extraDescription: String { "output_size=\(describeAdaptive(outputSize))" }
    public override var options: [ModuleOption] { [ModuleOption("output_size", AdaptiveSize(outputSize.0, outputSize.1))] }
}

public final class AdaptiveMaxPool2d: Module {
    public let outputSize: (Int?, Int?)

    public init(outputSize: (Int?, Int?)) throws {
        self.outputSize = outputSize
        super.init()
        try checkAdaptiveSize("AdaptiveMaxPool2d", outputSize)
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.adaptiveMaxPool2d(outputSize: outputSize) }
    public override var extraDescription: String { "output_size=\(describeAdaptive(outputSize))" }
    public override var options: [ModuleOption] { [ModuleOption("output_size", AdaptiveSize(outputSize.0, outputSize.1))] }
}

private func checkPoolArguments(_ name: String, _ kernel: Pair, _ stride: Pair, _ padding: Pair, _ dilation: Pair) throws {
    try SizeArithmetic.check(kernel, "kernel_size", in: name, minimum: 1)
    try SizeArithmetic.check(stride, "stride", in: name, minimum: 1)
    try SizeArithmetic.check(dilation, "dilation", in: name, minimum: 1)
    try SizeArithmetic.check(padding, "padding", in: name, minimum: 0)
    // All at most Int32.max: 2·padding cannot overflow.
    guard 2 * padding.h <= kernel.h, 2 * padding.w <= kernel.w else {
        throw SwiftNNError.invalidArgument(
            "\(name): pad should be at most half of kernel size, but got padding \(describePair(padding)) for kernel \(describePair(kernel))")
    }
}

private func checkAdaptiveSize(_ name: String, _ size: (Int?, Int?)) throws {
    try SizeArithmetic.check(Pair(size.0 ?? 1, size.1 ?? 1), "output_size", in: name, minimum: 1,
                             maximum: SizeArithmetic.maxAdaptiveOutput)
}

private func checkedDivisor(_ divisor: Int?) throws -> Int? {
    if let divisor, divisor <= 0 {
        throw SwiftNNError.invalidArgument("divisor_override must be positive, got \(divisor)")
    }
    return divisor
}

/// PyTorch keeps the pooling layers' ints as given; a square pair reads back as one int.
private func square(_ p: Pair) -> JSON { p.h == p.w ? p.h.json : p.json }

/// A square pair prints as one number, as PyTorch prints the pooling layers' ints.
private func describeSquare(_ p: Pair) -> String { p.h == p.w ? "\(p.h)" : describePair(p) }

private func describeAdaptive(_ s: (Int?, Int?)) -> String {
    let h = s.0.map(String.init) ?? "None", w = s.1.map(String.init) ?? "None"
    return s.0 == s.1 && s.0 != nil ? h : "(\(h), \(w))"
}
