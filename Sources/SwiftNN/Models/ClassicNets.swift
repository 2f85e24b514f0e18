/// AlexNet and VGG as in the CNN-architectures notes: `net.<i>` / `features.<i>` and
/// `classifier.<i>` Sequentials with the reference initialisations.

/// AlexNet for 227×227 inputs with local response normalisation (62,378,344 parameters at 1000 classes).
public final class AlexNet: Module {
    let net: Sequential, classifier: Sequential

    public init(classes: Int = 1000) throws {
        let lrn = { try LocalResponseNorm(size: 5, alpha: 1e-4, beta: 0.75, k: 2) }
        net = Sequential(
            try Conv2d(3, 96, kernelSize: Pair(11), stride: Pair(4)), ReLU(), try lrn(), try MaxPool2d(kernelSize: Pair(3), stride: Pair(2)),
            try Conv2d(96, 256, kernelSize: Pair(5), padding: .explicit(2, 2)), ReLU(), try lrn(),
            try MaxPool2d(kernelSize: Pair(3), stride: Pair(2)),
            try Conv2d(256, 384, kernelSize: Pair(3), padding: .explicit(1, 1)), ReLU(),
            try Conv2d(384, 384, kernelSize: Pair(3), padding: .explicit(1, 1)), ReLU(),
            try Conv2d(384, 256, kernelSize: Pair(3), padding: .explicit(1, 1)), ReLU(),
            try MaxPool2d(kernelSize: Pair(3), stride: Pair(2)))
        classifier = Sequential(
            try Dropout(p: 0.5), try Linear(256 * 6 * 6, 4096), ReLU(),
            try Dropout(p: 0.5), try Linear(4096, 4096), ReLU(),
            try Linear(4096, try positive(classes, "num_classes", model: "AlexNet")))
        super.init()
        registerModule("net", net)
        registerModule("classifier", classifier)
        // The paper's init: conv weights N(0, 0.01), biases 0, except conv 2, 4 and 5 (net.4, .10, .12) biased 1.
        for (index, layer) in net.layers.enumerated() {
            guard let conv = layer as? Conv2d else { continue }
            Init.normal(conv.weight, mean: 0, std: 0.01)
            Init.constant(conv.bias!, [4, 10, 12].contains(index) ? 1 : 0)
        }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try classifier(net(input).flatten(startDim: 1))
    }
}

/// VGG11/13/16/19 from the cfg lists, optional batch norm, ImageNet head (512·7·7 → 4096 →
/// 4096 → classes, after adaptive pooling to 7×7) or the `cifar=True` head (512 → 512 → 512 → classes).
public final class VGG: Module {
    public static let configs: [String: [Int?]] = [
        "VGG11": [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil],
        "VGG13": [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil],
        "VGG16": [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil],
        "VGG19": [64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil, 512, 512, 512, 512, nil, 512, 512, 512, 512, nil],
    ]
    private let name: String
    private let cifar: Bool

    public init(_ name: String, classes: Int? = nil, cifar: Bool = false, batchNorm: Bool = false) throws {
        guard let config = VGG.configs[name] else {
            throw SwiftNNError.invalidArgument("unknown VGG '\(name)'; available: VGG11, VGG13, VGG16, VGG19")
        }
        self.name = name
        self.cifar = cifar
        var layers: [Module] = []
        var channels = 3
        for entry in config {
            guard let width = entry else {
                layers.append(try MaxPool2d(kernelSize: Pair(2), stride: Pair(2)))
                continue
            }
            layers.append(try Conv2d(channels, width, kernelSize: Pair(3), padding: .explicit(1, 1)))
            if batchNorm { layers.append(try BatchNorm2d(width)) }
            layers.append(ReLU())
            channels = width
        }
        let outputs = try positive(classes ?? (cifar ? 10 : 1000), "num_classes", model: name)
        let classifier = cifar
            ? Sequential(try Dropout(p: 0.5), try Linear(512, 512), ReLU(), try Dropout(p: 0.5), try Linear(512, 512),
                         ReLU(), try Linear(512, outputs))
            : Sequential(try Linear(512 * 7 * 7, 4096), ReLU(), try Dropout(p: 0.5), try Linear(4096, 4096), ReLU(),
                         try Dropout(p: 0.5), try Linear(4096, outputs))
        super.init()
        registerModule("features", Sequential(layers))
        if !cifar { registerModule("avgpool", try AdaptiveAvgPool2d(outputSize: (7, 7))) }
        registerModule("classifier", classifier)
        // _initialize_weights: kaiming-normal (fan_out, relu) convs, N(0, 0.01) linears, zero biases.
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d {
                try Init.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: "relu")
                Init.constant(conv.bias!, 0)
            } else if let linear = module as? Linear {
                Init.normal(linear.weight, mean: 0, std: 0.01)
                Init.constant(linear.bias!, 0)
            }
        }
    }

    public override var typeName: String { name }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try runChildren(input, flattenBefore: "classifier")
    }
}

extension Module {
    /// This module and every descendant with its dotted path, depth first (PyTorch's `named_modules`).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [(prefix, self)]
        for (name, child) in namedChildren {
            result += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return result
    }
}
