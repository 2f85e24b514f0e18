/// The template repository's configurable networks: normal_MLP and normal_CNN.

/// normal_MLP: Linear layers input → neural_list[0] → … → neural_list.last, the mid
/// activation (after an optional BatchNorm1d) between them, the last activation at the end.
/// Keys: `layers.<i>.*`.
public final class NormalMLP: Module {
    public let layers: Sequential

    public init(inputSize: Int, neuralList: [Int], midActivation: String = "relu", lastActivation: String = "identity",
                batchNorm: Bool = false) throws {
        _ = try positive(inputSize, "input_size", model: "normal_MLP")
        guard !neuralList.isEmpty else { throw SwiftNNError.invalidArgument("normal_MLP: neural_list must not be empty") }
        var modules: [Module] = []
        var width = inputSize
        for (i, next) in neuralList.enumerated() {
            modules.append(try Linear(width, try positive(next, "neural_list entries", model: "normal_MLP")))
            if i < neuralList.count - 1 {
                if batchNorm { modules.append(try BatchNorm1d(next)) }
                modules.append(try activationLayer(midActivation, model: "normal_MLP"))
            } else {
                modules.append(try activationLayer(lastActivation, model: "normal_MLP"))
            }
            width = next
        }
        layers = Sequential(modules)
        super.init()
        registerModule("layers", layers)
    }

    public override var typeName: String { "normal_MLP" }

    public override func forward(_ input: Tensor) throws -> Tensor { try layers(input.flatten(startDim: 1)) }
}

/// normal_CNN: per entry of the kernel list a 3×3 convolution (padding 1, bias), optional
/// BatchNorm2d and the activation; each 'p' a 2×2 max-pool; then global average pooling
/// and one Linear to the classes. Keys: `features.<i>.*`, `classifier.*`.
public final class NormalCNN: Module {
    public let features: Sequential
    public let classifier: Linear

    public static let referenceKernels: [Int?] = [16, 16, nil, 32, 32, nil, 64, 64, nil, 128, 128, nil, 256, 256]

    public init(inChannels: Int = 3, kernels: [Int?] = NormalCNN.referenceKernels, classes: Int = 10,
                activation: String = "relu", batchNorm: Bool = true) throws {
        var modules: [Module] = []
        var channels = try positive(inChannels, "input channels", model: "normal_CNN")
        for entry in kernels {
            guard let width = entry else {
                modules.append(try MaxPool2d(kernelSize: Pair(2)))
                continue
            }
            modules.append(try Conv2d(channels, try positive(width, "kernel list entries", model: "normal_CNN"),
                                      kernelSize: Pair(3), padding: .explicit(1, 1)))
            if batchNorm { modules.append(try BatchNorm2d(width)) }
            modules.append(try activationLayer(activation, model: "normal_CNN"))
            channels = width
        }
        features = Sequential(modules)
        classifier = try Linear(channels, try positive(classes, "num_classes", model: "normal_CNN"))
        super.init()
        registerModule("features", features)
        registerModule("classifier", classifier)
    }

    public override var typeName: String { "normal_CNN" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let pooled = try features(input).adaptiveAvgPool2d(outputSize: (1, 1))
        return try classifier(pooled.flatten(startDim: 1))
    }
}
