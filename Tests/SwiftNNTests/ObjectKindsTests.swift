import XCTest
@testable import SwiftNN

/// One constructor per object kind (ModuleKinds, OptimizerKinds, SchedulerKinds) and settings by name.
final class ObjectKindsTests: XCTestCase {
    func testLayersFromConfigurationsMatchTheirInitializers() throws {
        let conv = try ModuleKinds.make("Conv2d", config: #"{"in_channels": 3, "out_channels": 8, "kernel_size": [3, 1], "padding": "same"}"#)
        XCTAssertEqual(conv.description, "Conv2d(3, 8, kernel_size=(3, 1), stride=(1, 1), padding=same)")
        let bn = try ModuleKinds.make("BatchNorm1d", config: #"{"num_features": 4, "momentum": null}"#) as! BatchNorm
        XCTAssertNil(bn.momentum)
        XCTAssertEqual(try ModuleKinds.make("MaxPool2d", config: #"{"kernel_size": 2}"#).description,
                       "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
        assertThrows(.invalidArgument, try ModuleKinds.make("Conv3d", config: nil))
        assertThrows(.invalidArgument, try ModuleKinds.make("Linear", config: #"{"in_features": 2, "out_features": 2, "bais": true}"#))
        assertThrows(.wrongType, try ModuleKinds.make("Linear", config: #"{"in_features": 2}"#))
        assertThrows(.wrongType, try ModuleKinds.make("Linear", config: #"{"in_features": 2.5, "out_features": 2}"#))
        assertThrows(.invalidArgument, try ModuleKinds.make("Linear", config: #"{"in_features": 1e12, "out_features": 2}"#))
    }

    func testSettingsAreReadAndWrittenByName() throws {
        let bn = try BatchNorm2d(4)
        try bn.setOption("eps", .number(0.1))
        XCTAssertEqual(bn.eps, 0.1)
        XCTAssertEqual(try bn.option("eps"), .number(0.1))
        try bn.setOption("momentum", .null)
        XCTAssertNil(bn.momentum)
        assertThrows(.readOnly, try bn.setOption("affine", .bool(false)))
        assertThrows(.invalidArgument, try bn.setOption("eps", .number(-1)))
        assertThrows(.wrongType, try bn.setOption("eps", .string("small")))
        assertThrows(.invalidArgument, try bn.setOption("epsilon", .number(1)))
        let dropout = try Dropout(p: 0.5)
        assertThrows(.invalidArgument, try dropout.setOption("p", .string("nan")))
    }

    func testOptimizerAndSchedulerKinds() throws {
        let p = try Tensor.zeros([2])
        let sgd = try OptimizerKinds.make("SGD", parameters: [p], config: #"{"lr": 0.5, "nesterov": true, "momentum": 0.9}"#)
        XCTAssertEqual(try sgd.option("lr"), .number(0.5))
        XCTAssertEqual(try sgd.option("nesterov"), .bool(true))
        try sgd.setOption("lr", .number(0.25))
        XCTAssertEqual(sgd.lr, 0.25)
        assertThrows(.readOnly, try sgd.setOption("nesterov", .bool(false)))
        let adam = try OptimizerKinds.make("AdamW", parameters: [try Tensor.zeros([1])], config: nil)
        XCTAssertTrue(adam is AdamW)
        XCTAssertEqual(try adam.option("weight_decay"), .number(0.01))
        assertThrows(.invalidArgument, try adam.setOption("betas", .array([.number(0.5), .number(1)])))
        XCTAssertEqual(try adam.option("betas"), .array([.number(0.9), .number(0.999)]))
        let step = try SchedulerKinds.make("StepLR", groups: [sgd], config: #"{"step_size": 2, "gamma": 0.5}"#)
        XCTAssertEqual(try step.option("step_size"), .number(2))
        XCTAssertEqual(try step.option("last_epoch"), .number(0))
        assertThrows(.invalidArgument, try SchedulerKinds.make("CyclicLR", groups: [sgd], config: nil))
        assertThrows(.wrongType, try SchedulerKinds.make("StepLR", groups: [sgd], config: nil))
    }
}
