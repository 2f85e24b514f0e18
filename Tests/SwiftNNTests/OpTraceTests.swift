import XCTest
@testable import SwiftNN

/// The op-level trace behind ONNX export: kinds, attributes, inputs by value id, leaves.
final class OpTraceTests: XCTestCase {
    private func attribute(_ node: OpTrace.Node, _ name: String) -> String? {
        node.attributes.first { $0.0 == name }.map { "\($0.1)" }
    }

    func testConvBatchNormLinearWithAttributes() throws {
        let conv = try Conv2d(3, 4, kernelSize: Pair(3), stride: Pair(2), padding: .explicit(1, 1), bias: false)
        let bn = try BatchNorm2d(4), fc = try Linear(4 * 4 * 4, 5)
        let model = Sequential(conv, bn, Flatten(), ReLU(), fc)  // BN then ReLU would fuse
        model.eval()
        let x = try Tensor.randn([2, 3, 7, 8])
        let (y, trace) = try OpTrace.run { try model(x) }
        XCTAssertNil(OpTrace.active)
        XCTAssertEqual(trace.nodes.map(\.kind), ["conv2d", "batch_norm", "View", "Relu", "Linear"])
        let c = trace.nodes[0]
        XCTAssertEqual(c.inputs, [trace.id(of: x), trace.id(of: conv.weight), nil])
        XCTAssertEqual(attribute(c, "stride"), "ints([2, 2])")
        // Output 4×4: the last row/column of padding is reached, the stride leaves none unused.
        XCTAssertEqual(attribute(c, "pads"), "ints([1, 1, 1, 0])")
        XCTAssertEqual(attribute(c, "groups"), "int(1)")
        let b = trace.nodes[1]
        XCTAssertEqual(b.inputs, [c.output, trace.id(of: bn.runningMean!), trace.id(of: bn.runningVar!),
                                  trace.id(of: bn.weight!), trace.id(of: bn.bias!)])
        XCTAssertEqual(attribute(b, "training"), "bool(false)")
        XCTAssertEqual(trace.nodes.last?.output, trace.id(of: y))
        XCTAssertEqual(trace.tensors[trace.nodes[2].output].shape, [2, 64])
        XCTAssertTrue(trace.json.hasPrefix(#"{"nodes":[{"op":"conv2d","inputs":[0,1,null],"output":2,"attrs":{"stride":[2,2]"#))
        XCTAssertTrue(trace.json.contains(#"{"id":0,"shape":[2,3,7,8],"leaf":true}"#))
    }

    func testFusedBatchNormReLUOverPiecesAndCat() throws {
        let a = try Tensor.randn([2, 3, 4, 4]), b = try Tensor.randn([2, 2, 4, 4])
        let bn = try BatchNorm2d(5)
        bn.eval()
        let (out, trace) = try OpTrace.run { () throws -> Tensor in
            let fused = try bn.withReLU([a, b])
            return try Tensor.cat([fused, a], dim: 1)
        }
        XCTAssertEqual(trace.nodes.map(\.kind), ["batch_norm_relu", "cat"])
        XCTAssertEqual(attribute(trace.nodes[0], "pieces"), "int(2)")
        XCTAssertEqual(trace.nodes[0].inputs.prefix(3).map { $0 }, [trace.id(of: a), trace.id(of: b), nil])
        XCTAssertEqual(attribute(trace.nodes[1], "dim"), "int(1)")
        XCTAssertEqual(out.shape, [2, 8, 4, 4])
    }

    func testNoTraceRecordsNothingAndTracesDoNotNest() throws {
        let x = try Tensor.randn([3])
        let (_, trace) = try OpTrace.run { () throws -> Tensor in
            XCTAssertThrowsError(try OpTrace.begin())
            return try x.relu().amax()
        }
        XCTAssertEqual(trace.nodes.map(\.kind), ["Relu", "Amax"])   // an op without attributes keeps its autograd name
        _ = try x.relu()
        XCTAssertEqual(trace.nodes.count, 2)
    }
}
