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

    public override func forward(_ x: Tensor) throws -> Tensor {
        var out = try conv1(bn1(x).relu())
        if dropRate > 0 { out = try dropout(out) }
        out = try conv2(bn2(out).relu())
        if dropRate > 0 { out = try dropout(out) }
        return try Tensor.cat([x, out], dim: 1)
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

    public override func forward(_ x: Tensor) throws -> Tensor {
        var out = try conv1(bn1(x).relu())
        if dropRate > 0 { out = try dropout(out) }
        return try out.avgPool2d(kernel: Pair(2), stride: Pair(2))
    }
}

public final class DenseNet: Module {
    public init(layers: Int = 121, classes: Int = 10, growthRate: Int = 12, compression: Float = 0.5,
                dropRate: Float = 0.2) throws {
        let model = "Densenet"
        guard layers >= 10 else { throw SwiftNNError.invalidArgument("\(model): layers must be at least 10, got \(layers)") }
        _ = try positive(growthRate, "growth_rate", model: model)
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
        let fc = try Linear(planes, try positive(classes, "num_classes", model: model))
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

    public override func forward(_ input: Tensor) throws -> Tensor { try runChildren(input, flattenBefore: "fc") }
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
    override func forward(_ input: Tensor) throws -> Tensor { try layer(input) }
}
