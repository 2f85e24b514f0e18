/// Residual networks for 32×32 inputs (3×3 stem, no max-pool), as in the case study:
/// ResNet-50 (`Resnet`), SE-ResNet-50 (`SE_Resnet`), basic-block ResNet-18/34, and
/// the template's residual_CNN. Keys follow the reference code: `conv1`, `bn1`,
/// `layer<k>.<i>.{conv1,bn1,conv2,bn2,conv3,bn3,shortcut.<j>,se.fc.<j>}`, `fc`.

/// A 1×1 projection (conv + BN) when the shape changes, else an empty Sequential (the identity).
func projectionShortcut(_ inPlanes: Int, _ outPlanes: Int, stride: Int) throws -> Sequential {
    guard stride != 1 || inPlanes != outPlanes else { return Sequential([]) }
    return Sequential(try Conv2d(inPlanes, outPlanes, kernelSize: Pair(1), stride: Pair(stride), bias: false),
                      try BatchNorm2d(outPlanes))
}

/// Squeeze-and-excitation: channel weights from global pooling through a bottleneck MLP.
public final class SELayer: Module {
    let fc: Sequential

    public init(channels: Int, reduction: Int = 16) throws {
        fc = Sequential(try Linear(channels, channels / reduction, bias: false), ReLU(),
                        try Linear(channels / reduction, channels, bias: false), Sigmoid())
        super.init()
        registerModule("avg_pool", try AdaptiveAvgPool2d(outputSize: (1, 1)))
        registerModule("fc", fc)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let (b, c) = (x.shape[0], x.shape[1])
        let weights = try fc(x.adaptiveAvgPool2d(outputSize: (1, 1)).reshape([b, c])).reshape([b, c, 1, 1])
        return try x.multiplying(weights)
    }
}

/// 1×1 → 3×3 (stride) → 1×1 ×4, with an optional SE layer before the residual sum.
public final class Bottleneck: Module {
    static let expansion = 4
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    let shortcut: Sequential
    let se: SELayer?

    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1, seReduction: Int? = nil) throws {
        conv1 = try Conv2d(inPlanes, planes, kernelSize: Pair(1), bias: false)
        bn1 = try BatchNorm2d(planes)
        conv2 = try Conv2d(planes, planes, kernelSize: Pair(3), stride: Pair(stride), padding: .explicit(1, 1), bias: false)
        bn2 = try BatchNorm2d(planes)
        conv3 = try Conv2d(planes, planes * Bottleneck.expansion, kernelSize: Pair(1), bias: false)
        bn3 = try BatchNorm2d(planes * Bottleneck.expansion)
        shortcut = try projectionShortcut(inPlanes, planes * Bottleneck.expansion, stride: stride)
        se = try seReduction.map { try SELayer(channels: planes * Bottleneck.expansion, reduction: $0) }
        super.init()
        for (name, m) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3),
                          ("bn3", bn3), ("relu", ReLU()), ("shortcut", shortcut)] as [(String, Module)] {
            registerModule(name, m)
        }
        if let se { registerModule("se", se) }
    }

    /// The reference code's class names: SE_Resnet's blocks are `SE_Bottleneck`.
    public override var typeName: String { se == nil ? "Bottleneck" : "SE_Bottleneck" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        var out = try conv1.batchNormReLU(x, bn1)
        out = try conv2.batchNormReLU(out, bn2)
        if let se { return try se(conv3.batchNorm(out, bn3)).adding(shortcut(x)).relu() }
        return try conv3.batchNormReLU(out, bn3, adding: shortcut(x))
    }
}

/// Two 3×3 convolutions (expansion 1), ResNet-18/34's block and residual_CNN's 'small' block.
public final class BasicBlock: Module {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, shortcut: Sequential

    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1) throws {
        conv1 = try Conv2d(inPlanes, planes, kernelSize: Pair(3), stride: Pair(stride), padding: .explicit(1, 1), bias: false)
        bn1 = try BatchNorm2d(planes)
        conv2 = try Conv2d(planes, planes, kernelSize: Pair(3), padding: .explicit(1, 1), bias: false)
        bn2 = try BatchNorm2d(planes)
        shortcut = try projectionShortcut(inPlanes, planes, stride: stride)
        super.init()
        for (name, m) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("shortcut", shortcut)]
            as [(String, Module)] { registerModule(name, m) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try conv2.batchNormReLU(conv1.batchNormReLU(x, bn1), bn2, adding: shortcut(x))
    }
}

/// A bottleneck whose output width is given directly (residual_CNN's 'big' block): 1×1 to
/// width/4, 3×3 (stride), 1×1 back to width.
public final class WidthBottleneck: Module {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    let shortcut: Sequential

    public init(_ inPlanes: Int, _ outPlanes: Int, stride: Int) throws {
        let inner = max(1, outPlanes / 4)
        conv1 = try Conv2d(inPlanes, inner, kernelSize: Pair(1), bias: false)
        bn1 = try BatchNorm2d(inner)
        conv2 = try Conv2d(inner, inner, kernelSize: Pair(3), stride: Pair(stride), padding: .explicit(1, 1), bias: false)
        bn2 = try BatchNorm2d(inner)
        conv3 = try Conv2d(inner, outPlanes, kernelSize: Pair(1), bias: false)
        bn3 = try BatchNorm2d(outPlanes)
        shortcut = try projectionShortcut(inPlanes, outPlanes, stride: stride)
        super.init()
        for (name, m) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3),
                          ("bn3", bn3), ("shortcut", shortcut)] as [(String, Module)] { registerModule(name, m) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        var out = try conv1.batchNormReLU(x, bn1)
        out = try conv2.batchNormReLU(out, bn2)
        return try conv3.batchNormReLU(out, bn3, adding: shortcut(x))
    }
}

/// ResNet for 32×32 inputs: 3×3 stem, four stages, global pooling, one Linear.
public final class ResNet: Module {
    public enum Block { case basic, bottleneck, seBottleneck(reduction: Int) }
    private let name: String

    public init(name: String, block: Block, stageBlocks: [Int], classes: Int = 10) throws {
        self.name = name
        super.init()
        registerModule("conv1", try Conv2d(3, 64, kernelSize: Pair(3), padding: .explicit(1, 1), bias: false))
        registerModule("bn1", try BatchNorm2d(64))
        registerModule("relu", ReLU())
        var inPlanes = 64
        for (stage, count) in stageBlocks.enumerated() {
            let planes = 64 << stage
            var blocks: [Module] = []
            for i in 0..<count {
                let stride = i == 0 && stage > 0 ? 2 : 1
                switch block {
                case .basic:
                    blocks.append(try BasicBlock(inPlanes, planes, stride: stride))
                    inPlanes = planes
                case .bottleneck, .seBottleneck:
                    var reduction: Int? = nil
                    if case .seBottleneck(let r) = block { reduction = r }
                    blocks.append(try Bottleneck(inPlanes, planes, stride: stride, seReduction: reduction))
                    inPlanes = planes * Bottleneck.expansion
                }
            }
            registerModule("layer\(stage + 1)", Sequential(blocks))
        }
        registerModule("avgpool", try AdaptiveAvgPool2d(outputSize: (1, 1)))
        registerModule("fc", try Linear(inPlanes, try positive(classes, "num_classes", model: name)))
    }

    public override var typeName: String { name }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try runChildren(input, flattenBefore: "fc")
    }
}

/// residual_CNN: a stem convolution, one residual block per kernel-list entry (stride 2 and a
/// projection where the width changes), global pooling and a Linear head.
public final class ResidualCNN: Module {
    public init(inChannels: Int = 3, kernels: [Int], classes: Int = 10, blockSize: String = "small") throws {
        guard let first = kernels.first else { throw SwiftNNError.invalidArgument("residual_CNN: kernal_list must not be empty") }
        guard blockSize == "small" || blockSize == "big" else {
            throw SwiftNNError.invalidArgument("residual_CNN: Residual_Block_size must be 'small' or 'big', got '\(blockSize)'")
        }
        super.init()
        registerModule("conv1", try Conv2d(try positive(inChannels, "input channels", model: "residual_CNN"), first,
                                           kernelSize: Pair(3), padding: .explicit(1, 1), bias: false))
        registerModule("bn1", try BatchNorm2d(first))
        registerModule("relu", ReLU())
        var blocks: [Module] = []
        var width = first
        for next in kernels {
            let stride = next == width ? 1 : 2
            let planes = try positive(next, "kernel list entries", model: "residual_CNN")
            blocks.append(blockSize == "small" ? try BasicBlock(width, planes, stride: stride)
                                               : try WidthBottleneck(width, planes, stride: stride))
            width = next
        }
        registerModule("layers", Sequential(blocks))
        registerModule("avgpool", try AdaptiveAvgPool2d(outputSize: (1, 1)))
        registerModule("fc", try Linear(width, try positive(classes, "num_classes", model: "residual_CNN")))
    }

    public override var typeName: String { "residual_CNN" }

    public override func forward(_ input: Tensor) throws -> Tensor { try runChildren(input, flattenBefore: "fc") }
}

extension Module {
    /// Runs the children in order, flattening to [N, -1] before the named head:
    /// the forward of every "stem, stages, pool, fc" network.
    func runChildren(_ input: Tensor, flattenBefore head: String) throws -> Tensor {
        try runLayers(namedChildren, input, flattenBefore: head)
    }
}
