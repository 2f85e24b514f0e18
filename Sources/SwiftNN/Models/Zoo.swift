/// Builds zoo models by name and keyword arguments, for the CLI, the C ABI and Python.
/// Names and argument names are the reference documents' own (typos included, e.g.
/// `kernal_list`), with correctly spelt aliases.
public enum Zoo {
    public static let names = [
        "MLPnet", "normal_MLP", "normal_CNN", "residual_CNN", "MLP_Mixer", "AlexNet", "VGG11", "VGG13", "VGG16",
        "VGG19", "Resnet", "ResNet18", "ResNet34", "SE_Resnet", "Densenet", "GoogLeNet",
    ]

    /// Correct spellings accepted for the reference's argument names.
    static let aliases = [
        "kernel_list": "kernal_list", "last_activation_func": "last_activateion_func",
        "residual_block_size": "Residual_Block_size", "block_size": "Residual_Block_size",
        "num_classes": "classes", "classes_num": "classes", "channels": "C", "blocks": "N",
    ]

    public static func make(_ name: String, config text: String? = nil) throws -> Module {
        try make(name, config: text.map { try JSON.parse($0) } ?? .null)
    }

    public static func make(_ name: String, config json: JSON) throws -> Module {
        guard let canonical = names.first(where: { $0.lowercased() == name.lowercased().replacingUnderscoreVariants() }) else {
            throw SwiftNNError.invalidArgument("unknown model '\(name)'; available: \(names.joined(separator: ", "))")
        }
        var config = try ModelConfig(model: canonical, normalized(json))
        let model = try build(canonical, &config)
        try config.finish()
        return model
    }

    private static func normalized(_ json: JSON) -> JSON {
        guard case .object(let members) = json else { return json }
        return .object(members.map { (aliases[$0.key] ?? $0.key, $0.value) })
    }

    private static func build(_ name: String, _ c: inout ModelConfig) throws -> Module {
        switch name {
        case "MLPnet":
            return try MLPnet(inputSize: try c.int("input_size", 3 * 32 * 32), classes: try c.int("classes", 10))
        case "normal_MLP":
            return try NormalMLP(inputSize: try c.int("input_size", 64), neuralList: try c.ints("neural_list", [64, 64, 128, 128]),
                                 midActivation: try c.string("mid_activation_func", "relu"),
                                 lastActivation: try c.string("last_activateion_func", "identity"),
                                 batchNorm: try c.bool("batch_normalization_use", false))
        case "normal_CNN":
            return try NormalCNN(inChannels: try c.ints("input_size", [3, 32, 32]).first ?? 3,
                                 kernels: try c.layerList("kernal_list", marker: "p", NormalCNN.referenceKernels),
                                 classes: try c.int("classes", 10), activation: try c.string("activation_func", "relu"),
                                 batchNorm: try c.bool("batch_normalization_use", true))
        case "residual_CNN":
            return try ResidualCNN(inChannels: try c.ints("input_size", [3, 32, 32]).first ?? 3,
                                   kernels: try c.ints("kernal_list", [32, 32, 64, 64, 64, 64, 128, 128, 128]),
                                   classes: try c.int("classes", 10), blockSize: try c.string("Residual_Block_size", "small"))
        case "MLP_Mixer":
            let hidden = (try c.int("token_hidden", 0), try c.int("channel_hidden", 0))
            return try MLPMixer(inputSize: try c.ints("input_size", [3, 32, 32]), patchSize: try c.int("patch_size", 4),
                                channels: try c.int("C", 128), blocks: try c.int("N", 6), classes: try c.int("classes", 10),
                                tokenHidden: hidden.0 == 0 ? nil : hidden.0, channelHidden: hidden.1 == 0 ? nil : hidden.1)
        case "AlexNet":
            return try AlexNet(classes: try c.int("classes", 1000))
        case "VGG11", "VGG13", "VGG16", "VGG19":
            let cifar = try c.bool("cifar", false)
            return try VGG(name, classes: try c.int("classes", cifar ? 10 : 1000), cifar: cifar,
                           batchNorm: try c.bool("batch_norm", false))
        case "Resnet":
            return try ResNet(name: "Resnet", block: .bottleneck, stageBlocks: [3, 4, 6, 3], classes: try c.int("classes", 10))
        case "ResNet18", "ResNet34":
            return try ResNet(name: name, block: .basic, stageBlocks: name == "ResNet18" ? [2, 2, 2, 2] : [3, 4, 6, 3],
                              classes: try c.int("classes", 10))
        case "SE_Resnet":
            let reduction = try positive(try c.int("reduction", 16), "reduction", model: name)
            return try ResNet(name: "SE_Resnet", block: .seBottleneck(reduction: reduction), stageBlocks: [3, 4, 6, 3],
                              classes: try c.int("classes", 10))
        case "Densenet":
            return try DenseNet(layers: try c.int("layers", 121), classes: try c.int("classes", 10),
                                growthRate: try c.int("growth_rate", 12), compression: try c.float("compression_factor", 0.5),
                                dropRate: try c.float("drop_rate", 0.2))
        case "GoogLeNet":
            if try c.bool("aux_logits", false) {
                throw SwiftNNError.invalidArgument("GoogLeNet: aux_logits=True is not supported (the auxiliary heads are not built)")
            }
            return try GoogLeNet(classes: try c.int("classes", 1000), smallInputs: try c.bool("small_inputs", false),
                                 dropout: try c.float("dropout", 0.2))
        default:
            throw SwiftNNError.invalidArgument("unknown model '\(name)'")
        }
    }
}

private extension String {
    /// "resnet_18" and "vgg_16" find "ResNet18" and "VGG16"; names with meaningful underscores stay as given.
    func replacingUnderscoreVariants() -> String {
        let compact = split(separator: "_").joined()
        return ["resnet18", "resnet34", "vgg11", "vgg13", "vgg16", "vgg19"].contains(compact) ? compact : self
    }
}
