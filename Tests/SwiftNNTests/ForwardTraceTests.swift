import XCTest
@testable import SwiftNN

/// The forward trace behind `swiftnn.summary`: one row per leaf module call, named by its path.
final class ForwardTraceTests: XCTestCase {
    func testRowsOfASmallCNN() throws {
        let model = try NormalCNN(inChannels: 1, kernels: [4, nil, 6], classes: 3)
        let (output, rows) = try ForwardTrace.run(model, try Tensor.randn([2, 1, 8, 8]))
        XCTAssertEqual(output.shape, [2, 3])
        XCTAssertEqual(rows.map(\.name), ["features.0", "features.1", "features.2", "features.3", "features.4",
                                          "features.5", "features.6", "classifier"])
        XCTAssertEqual(rows.map(\.typeName), ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d",
                                              "ReLU", "Linear"])
        XCTAssertEqual(rows[3].shape, [2, 4, 4, 4])
        XCTAssertEqual(rows[4], ForwardTrace.Row(name: "features.4", typeName: "Conv2d", shape: [2, 6, 4, 4],
                                                 parameterCount: 4 * 6 * 9 + 6))
        XCTAssertEqual(rows.map(\.parameterCount).reduce(0, +), model.parameters().reduce(0) { $0 + $1.count })
        XCTAssertEqual(ForwardTrace.json([rows[7]]), #"[{"name":"classifier","type":"Linear","shape":[2,3],"params":21}]"#)
    }

    func testContainersAreNotRowsAndTracingEnds() throws {
        let block = try BasicBlock(4, 4)  // identity shortcut: an empty Sequential
        let (_, rows) = try ForwardTrace.run(block, try Tensor.randn([2, 4, 5, 5]))
        XCTAssertEqual(rows.map(\.name), ["conv1", "bn1", "conv2", "bn2"])
        XCTAssertNil(ForwardTrace.active)
        let linear = try Linear(3, 2)
        let (_, leaf) = try ForwardTrace.run(linear, try Tensor.randn([4, 3]))
        XCTAssertEqual(leaf, [ForwardTrace.Row(name: "", typeName: "Linear", shape: [4, 2], parameterCount: 8)])
    }
}
