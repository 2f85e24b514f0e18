/// GoogLeNet (Inception v1) with batch norm, laid out as torchvision's so its weights load:
/// `conv1..3.{conv,bn}`, `inception3a..5b.branch{1,2,3,4}.*`, `fc`. Without the auxiliary
/// heads it has 6,624,904 parameters at 1000 classes. `smallInputs` swaps the 7×7/2 stem and
/// the first two max-pools for a 3×3/1 stem, for 32×32 images.
final class BasicConv2d: Module {
    let conv: Conv2d, bn: BatchNorm2d

    init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) throws {
        conv = try Conv2d(inChannels, outChannels, kernelSize: Pair(kernel), stride: Pair(stride),
                          padding: .explicit(padding, padding), bias: false)
        bn = try BatchNorm2d(outChannels, eps: 0.001)
        super.init()
        registerModule("conv", conv)
        registerModule("bn", bn)
    }

    override func forward(_ x: Tensor) throws -> Tensor {
        try conv.fusedForward(x, bn: bn, relu: true) ?? bn(conv(x)).relu()
    }
}

final class Inception: Module {
    let branches: [Module]

    /// Branch 3 uses a 3×3 convolution where the paper has 5×5, as torchvision does (its weights depend on it).
    init(_ inChannels: Int, _ ch1x1: Int, _ ch3x3red: Int, _ ch3x3: Int, _ ch5x5red: Int, _ ch5x5: Int, _ poolProj: Int) throws {
        branches = [
            try BasicConv2d(inChannels, ch1x1, kernel: 1),
            Sequential(try BasicConv2d(inChannels, ch3x3red, kernel: 1), try BasicConv2d(ch3x3red, ch3x3, kernel: 3, padding: 1)),
            Sequential(try BasicConv2d(inChannels, ch5x5red, kernel: 1), try BasicConv2d(ch5x5red, ch5x5, kernel: 3, padding: 1)),
            Sequential(try MaxPool2d(kernelSize: Pair(3), stride: Pair(1), padding: Pair(1), ceilMode: true),
                       try BasicConv2d(inChannels, poolProj, kernel: 1)),
        ]
        super.init()
        for (i, branch) in branches.enumerated() { registerModule("branch\(i + 1)", branch) }
    }

    override func forward(_ x: Tensor) throws -> Tensor { try Tensor.cat(try branches.map { try $0(x) }, dim: 1) }
}

public final class GoogLeNet: Module {
    public init(classes: Int = 1000, smallInputs: Bool = false, dropout: Float = 0.2) throws {
        super.init()
        let pool = { try MaxPool2d(kernelSize: Pair(3), stride: Pair(2), ceilMode: true) }
        if smallInputs {
            registerModule("conv1", try BasicConv2d(3, 64, kernel: 3, padding: 1))
        } else {
            registerModule("conv1", try BasicConv2d(3, 64, kernel: 7, stride: 2, padding: 3))
            registerModule("maxpool1", try pool())
        }
        registerModule("conv2", try BasicConv2d(64, 64, kernel: 1))
        registerModule("conv3", try BasicConv2d(64, 192, kernel: 3, padding: 1))
        if !smallInputs { registerModule("maxpool2", try pool()) }
        registerModule("inception3a", try Inception(192, 64, 96, 128, 16, 32, 32))
        registerModule("inception3b", try Inception(256, 128, 128, 192, 32, 96, 64))
        registerModule("maxpool3", try pool())
        registerModule("inception4a", try Inception(480, 192, 96, 208, 16, 48, 64))
        registerModule("inception4b", try Inception(512, 160, 112, 224, 24, 64, 64))
        registerModule("inception4c", try Inception(512, 128, 128, 256, 24, 64, 64))
        registerModule("inception4d", try Inception(512, 112, 144, 288, 32, 64, 64))
        registerModule("inception4e", try Inception(528, 256, 160, 320, 32, 128, 128))
        registerModule("maxpool4", try MaxPool2d(kernelSize: Pair(2), stride: Pair(2), ceilMode: true))
        registerModule("inception5a", try Inception(832, 256, 160, 320, 32, 128, 128))
        registerModule("inception5b", try Inception(832, 384, 192, 384, 48, 128, 128))
        registerModule("avgpool", try AdaptiveAvgPool2d(outputSize: (1, 1)))
        registerModule("dropout", try Dropout(p: dropout))
        registerModule("fc", try Linear(1024, try positive(classes, "num_classes", model: "GoogLeNet")))
        // torchvision's init: weights N(0, 0.01) (truncated at ±2, which is 200σ), BN weight 1 / bias 0.
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d { Init.normal(conv.weight, mean: 0, std: 0.01) }
            if let linear = module as? Linear {
                Init.normal(linear.weight, mean: 0, std: 0.01)
                Init.constant(linear.bias!, 0)
            }
        }
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try runChildren(input, flattenBefore: "dropout") }
}
