import XCTest
@testable import SwiftNN

/// The zoo: reference parameter counts, PyTorch state-dict keys, and a forward and
/// backward pass of every model at its native input size (small widths where the full
/// model is too slow for a debug build; the full models' counts are asserted in pytest too).
final class ZooTests: XCTestCase {
    func count(_ model: Module) -> Int { model.parameters().reduce(0) { $0 + $1.count } }

    func testReferenceParameterCounts() throws {
        XCTAssertEqual(count(try Zoo.make("MLPnet")), 402_250)
        XCTAssertEqual(count(try Zoo.make("normal_CNN")), 1_183_322)
        XCTAssertEqual(count(try Zoo.make("VGG11", config: #"{"cifar": true}"#)), 9_750_922)
        XCTAssertEqual(count(try Zoo.make("VGG16", config: #"{"cifar": true}"#)), 15_245_130)
        XCTAssertEqual(count(try Zoo.make("Resnet")), 23_520_842)
        XCTAssertEqual(count(try Zoo.make("SE_Resnet")), 26_035_786)
        XCTAssertEqual(count(try Zoo.make("Densenet")), 1_020_550)
        XCTAssertEqual(count(try Zoo.make("Densenet", config: #"{"layers": 100}"#)), 769_162)
        XCTAssertEqual(count(try Zoo.make("GoogLeNet")), 6_624_904)
    }

    func testStateDictKeysFollowTheReferenceCode() throws {
        let cnn = try Zoo.make("normal_CNN").stateDict().map(\.name)
        XCTAssertEqual(Array(cnn.prefix(7)), ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                                              "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"])
        XCTAssertEqual(Array(cnn.suffix(2)), ["classifier.weight", "classifier.bias"])
        let resnet = Set(try Zoo.make("SE_Resnet").stateDict().map(\.name))
        for key in ["conv1.weight", "bn1.running_var", "layer1.0.conv3.weight", "layer1.0.shortcut.0.weight",
                    "layer1.0.shortcut.1.num_batches_tracked", "layer4.2.bn3.bias", "layer2.0.se.fc.0.weight",
                    "layer2.0.se.fc.2.weight", "fc.weight", "fc.bias"] {
            XCTAssertTrue(resnet.contains(key), key)
        }
        XCTAssertFalse(resnet.contains("layer1.1.shortcut.0.weight"), "identity shortcuts have no weights")
        let dense = Set(try Zoo.make("Densenet", config: #"{"layers": 100}"#).stateDict().map(\.name))
        for key in ["conv1.weight", "block1.layer.0.bn1.weight", "block1.layer.15.conv2.weight", "trans1.bn1.running_mean",
                    "trans2.conv1.weight", "block3.layer.15.bn2.bias", "bn1.weight", "fc.bias"] {
            XCTAssertTrue(dense.contains(key), key)
        }
        let alex = try AlexNet().stateDict().map(\.name)
        XCTAssertEqual(alex.filter { $0.hasSuffix("weight") },
                       ["net.0.weight", "net.4.weight", "net.8.weight", "net.10.weight", "net.12.weight",
                        "classifier.1.weight", "classifier.4.weight", "classifier.6.weight"])
        let vgg = try VGG("VGG11", cifar: true, batchNorm: true).stateDict().map(\.name)
        XCTAssertEqual(Array(vgg.prefix(3)), ["features.0.weight", "features.0.bias", "features.1.weight"])
        XCTAssertTrue(vgg.contains("classifier.1.weight") && vgg.contains("classifier.6.bias"))
        let google = Set(try GoogLeNet().stateDict().map(\.name))
        for key in ["conv1.conv.weight", "conv1.bn.running_var", "inception3a.branch1.conv.weight",
                    "inception3a.branch2.1.bn.weight", "inception5b.branch4.1.conv.weight", "fc.weight"] {
            XCTAssertTrue(google.contains(key), key)
        }
    }

    /// Forward at the native size, then backward: every parameter gets a finite gradient.
    func runsForwardAndBackward(_ model: Module, input shape: [Int], classes: Int,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try Tensor.randn(shape)
        let out = try model(x)
        XCTAssertEqual(out.shape, [shape[0], classes], file: file, line: line)
        try out.sum().backward()
        for (name, p) in model.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name) got no gradient", file: file, line: line); continue }
            XCTAssertTrue(g.scalars.allSatisfy(\.isFinite), "\(name) has a non-finite gradient", file: file, line: line)
        }
    }

    func testEveryModelTrainsOneStepAtItsNativeSize() throws {
        try DefaultGenerator.seed(1)
        try runsForwardAndBackward(try Zoo.make("MLPnet"), input: [2, 3, 32, 32], classes: 10)
        try runsForwardAndBackward(try Zoo.make("normal_MLP", config: #"{"input_size": 64, "neural_list": [16, 16, 10], "batch_normalization_use": true, "mid_activation_func": "leaky_relu"}"#),
                                   input: [2, 64], classes: 10)
        try runsForwardAndBackward(try Zoo.make("normal_CNN", config: #"{"kernal_list": [4, "p", 8, "p", 8]}"#),
                                   input: [2, 3, 32, 32], classes: 10)
        try runsForwardAndBackward(try Zoo.make("residual_CNN", config: #"{"kernal_list": [4, 8, 8], "Residual_Block_size": "big"}"#),
                                   input: [2, 3, 32, 32], classes: 10)
        try runsForwardAndBackward(try Zoo.make("residual_CNN", config: #"{"kernel_list": [4, 4, 8]}"#),
                                   input: [2, 3, 32, 32], classes: 10)
        try runsForwardAndBackward(try Zoo.make("MLP_Mixer", config: #"{"C": 8, "N": 2, "patch_size": 8}"#),
                                   input: [2, 3, 32, 32], classes: 10)
        try runsForwardAndBackward(try Zoo.make("Densenet", config: #"{"layers": 16, "growth_rate": 4}"#),
                                   input: [2, 3, 32, 32], classes: 10)
    }

    /// The building blocks of the large networks at small widths (the whole networks run in pytest,
    /// against the release build).
    func testLargeNetworkBlocksTrainOneStep() throws {
        try DefaultGenerator.seed(2)
        // (block, input channels): every block trains on a small input of its own width.
        let blocks: [(Module, Int)] = [
            (try Bottleneck(8, 4, stride: 2, seReduction: 4), 8), (try Bottleneck(16, 4), 16), (try BasicBlock(8, 8), 8),
            (try BasicBlock(8, 4, stride: 2), 8), (try Inception(8, 2, 3, 4, 2, 3, 2), 8),
            (try DenseBottleneck(8, growth: 3, dropRate: 0.2), 8), (try DenseTransition(8, 4, dropRate: 0), 8),
        ]
        for (block, channels) in blocks {
            try block(try Tensor.randn([2, channels, 6, 6])).sum().backward()
            for (name, p) in block.namedParameters() {
                XCTAssertTrue(p.grad?.scalars.allSatisfy(\.isFinite) == true, "\(block.typeName).\(name)")
            }
        }
        // The SE layer end to end (the bottleneck around it is convolutions, BN and ReLU, each checked alone).
        try DefaultGenerator.seed(3)
        let se = try SELayer(channels: 8, reduction: 2)
        checkGradients([randomTensor([2, 8, 3, 3], seed: 7)], "SE layer") { try se($0[0]) }
    }

    func testBadConfigurationsAreClearErrors() {
        assertThrows(.invalidArgument, contains: "unknown model", try Zoo.make("NoSuchNet"))
        assertThrows(.invalidArgument, contains: "unexpected argument(s) kernel_sizes", try Zoo.make("normal_CNN", config: #"{"kernel_sizes": [1]}"#))
        assertThrows(.invalidArgument, contains: "'p'", try Zoo.make("normal_CNN", config: #"{"kernal_list": [16, "q"]}"#))
        assertThrows(.invalidArgument, contains: "Residual_Block_size", try Zoo.make("residual_CNN", config: #"{"Residual_Block_size": "huge"}"#))
        assertThrows(.invalidArgument, contains: "activation", try Zoo.make("normal_CNN", config: #"{"activation_func": "swoosh"}"#))
        assertThrows(.invalidArgument, contains: "divisible", try Zoo.make("MLP_Mixer", config: #"{"patch_size": 5}"#))
        assertThrows(.invalidArgument, contains: "JSON", try Zoo.make("MLPnet", config: "{oops"))
        // Sizes that would exhaust memory or overflow while the model is built.
        assertThrows(.invalidArgument, contains: "layers", try Zoo.make("Densenet", config: #"{"layers": 4294967296}"#))
        assertThrows(.invalidArgument, contains: "C must be", try Zoo.make("MLP_Mixer", config: #"{"C": 1099511627776}"#))
        assertThrows(.invalidArgument, contains: "N must be", try Zoo.make("MLP_Mixer", config: #"{"N": 4294967296}"#))
    }
}
