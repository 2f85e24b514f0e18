/// MLP-Mixer (Tolstikhin et al. 2021): a patch embedding, N blocks of token mixing (an MLP
/// across patches) and channel mixing (an MLP across channels), each behind LayerNorm with a
/// skip connection, then LayerNorm, global average pooling over patches and a Linear head.
/// Hidden sizes default to the paper's ratios: tokens C/2, channels 4·C.
/// Keys: `patch_embedding`, `mixer_layers.<i>.{norm1,token_mixing.{0,2},norm2,channel_mixing.{0,2}}`, `norm`, `classifier`.
final class MixerBlock: Module {
    let norm1: LayerNorm, tokenMixing: Sequential, norm2: LayerNorm, channelMixing: Sequential

    init(patches: Int, channels: Int, tokenHidden: Int, channelHidden: Int) throws {
        norm1 = try LayerNorm([channels])
        tokenMixing = Sequential(try Linear(patches, tokenHidden), try GELU(), try Linear(tokenHidden, patches))
        norm2 = try LayerNorm([channels])
        channelMixing = Sequential(try Linear(channels, channelHidden), try GELU(), try Linear(channelHidden, channels))
        super.init()
        registerModule("norm1", norm1)
        registerModule("token_mixing", tokenMixing)
        registerModule("norm2", norm2)
        registerModule("channel_mixing", channelMixing)
    }

    /// x: [N, patches, channels].
    override func forward(_ x: Tensor) throws -> Tensor {
        let tokens = try tokenMixing(norm1(x).transpose(1, 2)).transpose(1, 2)
        let mixed = try x.adding(tokens)
        return try mixed.adding(channelMixing(norm2(mixed)))
    }
}

public final class MLPMixer: Module {
    public let inputSize: [Int]
    public let patchSize: Int

    public init(inputSize: [Int] = [3, 32, 32], patchSize: Int = 4, channels: Int = 128, blocks: Int = 6,
                classes: Int = 10, tokenHidden: Int? = nil, channelHidden: Int? = nil) throws {
        let model = "MLP_Mixer"
        guard inputSize.count == 3, inputSize.allSatisfy({ $0 > 0 && $0 <= maxModelWidth }) else {
            throw SwiftNNError.invalidArgument("\(model): input_size must be (channels, height, width), got \(describe(inputSize))")
        }
        _ = try width(patchSize, "patch_size", model: model)
        guard inputSize[1] % patchSize == 0, inputSize[2] % patchSize == 0 else {
            throw SwiftNNError.invalidArgument("\(model): the image size \(inputSize[1])x\(inputSize[2]) is not divisible by patch_size \(patchSize)")
        }
        self.inputSize = inputSize
        self.patchSize = patchSize
        let patches = (inputSize[1] / patchSize) * (inputSize[2] / patchSize)
        let c = try width(channels, "C", model: model)
        super.init()
        registerModule("patch_embedding", try Conv2d(inputSize[0], c, kernelSize: Pair(patchSize), stride: Pair(patchSize)))
        let mixers = try (0..<(try depth(blocks, "N", model: model))).map { _ in
            try MixerBlock(patches: patches, channels: c, tokenHidden: try width(tokenHidden ?? max(1, c / 2), "token hidden size", model: model),
                           channelHidden: try width(channelHidden ?? 4 * c, "channel hidden size", model: model)) as Module
        }
        registerModule("mixer_layers", Sequential(mixers))
        registerModule("norm", try LayerNorm([c]))
        registerModule("classifier", try Linear(c, try width(classes, "classes_num", model: model)))
    }

    public override var typeName: String { "MLP_Mixer" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let embedded = try namedChildren[0].module(input)               // [N, C, h, w]
        let (n, c) = (embedded.shape[0], embedded.shape[1])
        var x = try embedded.reshape([n, c, -1]).transpose(1, 2)       // [N, patches, C]
        x = try namedChildren[1].module(x)
        x = try namedChildren[2].module(x).mean(dims: [1])              // [N, C]
        return try namedChildren[3].module(x)
    }
}
