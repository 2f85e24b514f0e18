/// DenseNet-BC for 32×32 inputs as in the case study (`Densenet`): three dense blocks of
/// bottleneck layers (BN-ReLU-1×1 to 4·growth, BN-ReLU-3×3 to growth, concatenated), transitions
/// compressing channels and halving the size. Keys: `conv1`, `block<k>.layer.<i>.{bn1,conv1,bn2,conv2}`,
/// `trans<k>.{bn1,conv1}`, `bn1`, `fc`.
public final class DenseBottleneck: Module {
    let bn1: BatchNorm2d, conv1: Conv2d, bn2: BatchNorm2d, conv2: Conv2d, dropout: Dropout
    let dropRate: Float

    public init(_ inPlanes: Int, growth: Int, dropRate: Float) throws {
        bn1 = try BatchNorm2d(inPlanes)
        conv1 = try Conv2d(inPlanes, 4 * growth, kernelSize: Pair(1), bias: false)
        bn2 = try BatchNorm2d(4 * growth)
        conv2 = try Conv2d(4 * growth, growth, kernelSize: Pair(3), padding: .explicit(1, 1), bias: false)
        dropout = try Dropout(p: dropRate)
        self.dropRate = dropRate
        super.init()
        for (name, m) in [("bn1", bn1), ("relu", ReLU()), ("conv1", conv1), ("bn2", bn2), ("conv2", conv2),
                          ("dropout", dropout)] as [(String, Module)] { registerModule(name, m) }
    }

    /// The `growth` channels this layer adds, from the block's features so far (the
    /// pieces of its input, which BN reads in place instead of a concatenated copy).
    func newFeatures(_ features: [Tensor]) throws -> Tensor {
        let normalized = try bn1.withReLU(features)
        var out: Tensor
        // Dropout between conv1 and bn2 is the identity in eval mode, so bn2 folds into conv1.
        if dropRate == 0 || !dropout.training, let folded = try conv1.fusedForward(normalized, bn: bn2, relu: true) {
            out = folded
        } else {
            out = try conv1(normalized)
            if dropRate > 0 { out = try dropout(out) }
            out = try bn2.withReLU(out)
        }
        out = try conv2(out)
        if dropRate > 0 { out = try dropout(out) }
        return out
    }

    /// The reference code's class name.
    public override var typeName: String { "BottleneckBlock" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.cat([x, newFeatures([x])], dim: 1)
    }
}

public final class DenseTransition: Module {
    let bn1: BatchNorm2d, conv1: Conv2d, dropout: Dropout
    let dropRate: Float

    public init(_ inPlanes: Int, _ outPlanes: Int, dropRate: Float) throws {
        bn1 = try BatchNorm2d(inPlanes)
        conv1 = try Conv2d(inPlanes, outPlanes, kernelSize: Pair(1), bias: false)
        dropout = try Dropout(p: dropRate)
        self.dropRate = dropRate
        super.init()
        for (name, m) in [("bn1", bn1), ("relu", ReLU()), ("conv1", conv1), ("dropout", dropout),
                          ("avg_pooling", try AvgPool2d(kernelSize: Pair(2), stride: Pair(2)))] as [(String, Module)] {
            registerModule(name, m)
        }
    }

    /// The compressed, halved features from the pieces of the block's output.
    func forward(features: [Tensor]) throws -> Tensor {
        let normalized = try bn1.withReLU(features)
        // Without dropout in between, the 1×1 convolution and the 2×2 average commute
        // (both linear, per pixel / per channel): pooling first is 4× less convolution.
        // Traced forwards keep the reference order, so summaries show its shapes.
        if (dropRate == 0 || !dropout.training) && ForwardTrace.active == nil {
            return try conv1(normalized.avgPool2d(kernel: Pair(2), stride: Pair(2)))
        }
        return try dropout(conv1(normalized)).avgPool2d(kernel: Pair(2), stride: Pair(2))
    }

    public override var typeName: String { "TransitionBlock" }

    public override func forward(_ x: Tensor) throws -> Tensor { try forward(features: [x]) }
}

public final class DenseNet: Module {
    public init(layers: Int = 121, classes: Int = 10, growthRate: Int = 12, compression: Float = 0.5,
                dropRate: Float = 0.2) throws {
        let model = "Densenet"
        _ = try bounded(layers, 10, maxModelDepth, "layers", model: model)
        _ = try width(growthRate, "growth_rate", model: model)
        guard compression > 0 && compression <= 1 else {
            throw SwiftNNError.invalidArgument("\(model): compression_factor must be in (0, 1], got \(compression)")
        }
        // (layers − conv − 2 transitions − fc) / 3 blocks, halved: each bottleneck has two convolutions.
        let perBlock = (layers - 4) / 3 / 2
        var planes = 2 * growthRate
        super.init()
        registerModule("conv1", try Conv2d(3, planes, kernelSize: Pair(3), padding: .explicit(1, 1), bias: false))
        for block in 1...3 {
            let dense = Sequential(try (0..<perBlock).map {
                try DenseBottleneck(planes + $0 * growthRate, growth: growthRate, dropRate: dropRate) as Module
            })
            registerModule("block\(block)", DenseBlockModule(dense))
            planes += perBlock * growthRate
            if block < 3 {
                let compressed = Int((Float(planes) * compression).rounded(.down))
                registerModule("trans\(block)", try DenseTransition(planes, compressed, dropRate: dropRate))
                planes = compressed
            }
        }
        registerModule("bn1", try BatchNorm2d(planes))
        registerModule("relu", ReLU())
        registerModule("ada_avg_pooling", try AdaptiveAvgPool2d(outputSize: (1, 1)))
        let fc = try Linear(planes, try width(classes, "num_classes", model: model))
        registerModule("fc", fc)
        // The reference init: conv N(0, √(2/(k·k·out))), BN weight 1 / bias 0, Linear bias 0.
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d {
                let n = conv.kernelSize.h * conv.kernelSize.w * conv.outChannels
                Init.normal(conv.weight, mean: 0, std: (2 / Float(n)).squareRoot())
            }
        }
        Init.constant(fc.bias!, 0)
    }

    public override var typeName: String { "Densenet" }

    /// Blocks hand their features on as a list of pieces (block input, then each layer's
    /// new channels); the next BN reads them in place, so nothing is concatenated.
    public override func forward(_ input: Tensor) throws -> Tensor {
        var features = [input]
        var rest = namedChildren[...]
        while let (name, child) = rest.popFirst() {
            if let block = child as? DenseBlockModule {
                features = try block.features(features)
            } else if let transition = child as? DenseTransition {
                features = [try transition.forward(features: features)]
            } else if let bn = child as? BatchNorm, let relu = rest.first?.module as? ReLU {
                let y = try bn.withReLU(features)
                relu.traceFusedCall(y)
                features = [y]
                rest.removeFirst()
            } else {
                var x = try joined(features)
                if name == "fc" { x = try x.flatten(startDim: 1) }
                features = [try child(x)]
            }
        }
        return try joined(features)
    }

    private func joined(_ features: [Tensor]) throws -> Tensor {
        features.count == 1 ? features[0] : try Tensor.cat(features, dim: 1)
    }
}

/// The reference's DenseBlock: a Sequential kept under the key `layer`.
final class DenseBlockModule: Module {
    let layer: Sequential
    init(_ layer: Sequential) {
        self.layer = layer
        super.init()
        registerModule("layer", layer)
    }
    override var typeName: String { "DenseBlock" }
    override func forward(_ input: Tensor) throws -> Tensor { try Tensor.cat(features([input]), dim: 1) }

    /// `features` followed by each layer's new channels.
    func features(_ input: [Tensor]) throws -> [Tensor] {
        var features = input
        for (_, child) in layer.namedChildren {
            if let bottleneck = child as? DenseBottleneck {
                features.append(try bottleneck.newFeatures(features))
            } else {
                features = [try child(Tensor.cat(features, dim: 1))]
            }
        }
        return features
    }
}
