/// Builds a layer from its PyTorch class name and a JSON object of constructor
/// arguments (`{"in_features": 3, "out_features": 2}`): the one constructor the
/// C ABI and Python use. Each kind's arguments, defaults and checks live here
/// and in the layer's initializer; unknown kinds and keys are errors.
public enum ModuleKinds {
    public static func make(_ kind: String, config text: String?) throws -> Module {
        guard let build = builders[kind] else {
            throw SwiftNNError.invalidArgument("unknown module kind '\(kind)'; available: \(names.joined(separator: ", "))")
        }
        var config = try ModelConfig(model: kind, text: text)
        let module = try build(&config)
        try config.finish()
        return module
    }

    public static var names: [String] { builders.keys.sorted() }

    private static let builders: [String: (inout ModelConfig) throws -> Module] = [
        "Linear": { c in
            try Linear(try c.required("in_features"), try c.required("out_features"), bias: try c.value("bias", true))
        },
        "ReLU": { c in try inplace(ReLU(), &c) },
        "SiLU": { c in try inplace(SiLU(), &c) },
        "Sigmoid": { _ in Sigmoid() },
        "Tanh": { _ in Tanh() },
        "Identity": { _ in Identity() },
        "Softmax": { c in Softmax(dim: try c.required("dim")) },
        "LogSoftmax": { c in LogSoftmax(dim: try c.required("dim")) },
        "LeakyReLU": { c in try inplace(LeakyReLU(negativeSlope: try c.value("negative_slope", Float(0.01))), &c) },
        "GELU": { c in try GELU(approximate: try c.value("approximate", "none")) },
        "Dropout": { c in try inplace(try Dropout(p: try c.value("p", Float(0.5))), &c) },
        "Dropout2d": { c in try inplace(try Dropout2d(p: try c.value("p", Float(0.5))), &c) },
        "Flatten": { c in Flatten(startDim: try c.value("start_dim", 1), endDim: try c.value("end_dim", -1)) },
        "Conv2d": { c in
            let mode = try c.value("padding_mode", "zeros")
            guard mode == "zeros" else {
                throw SwiftNNError.invalidArgument("Conv2d: padding_mode '\(mode)' is not supported (only 'zeros')")
            }
            return try Conv2d(try c.required("in_channels"), try c.required("out_channels"),
                              kernelSize: try c.required("kernel_size"), stride: try c.value("stride", Pair(1)),
                              padding: try c.value("padding", ConvPadding.explicit(0, 0)),
                              dilation: try c.value("dilation", Pair(1)), groups: try c.value("groups", 1),
                              bias: try c.value("bias", true))
        },
        "MaxPool2d": { c in
            try MaxPool2d(kernelSize: try c.required("kernel_size"), stride: try c.value("stride", Pair?.none),
                          padding: try c.value("padding", Pair(0)), dilation: try c.value("dilation", Pair(1)),
                          ceilMode: try c.value("ceil_mode", false))
        },
        "AvgPool2d": { c in
            try AvgPool2d(kernelSize: try c.required("kernel_size"), stride: try c.value("stride", Pair?.none),
                          padding: try c.value("padding", Pair(0)), ceilMode: try c.value("ceil_mode", false),
                          countIncludePad: try c.value("count_include_pad", true),
                          divisorOverride: try c.value("divisor_override", Int?.none))
        },
        "AdaptiveAvgPool2d": { c in try AdaptiveAvgPool2d(outputSize: try adaptive(&c)) },
        "AdaptiveMaxPool2d": { c in try AdaptiveMaxPool2d(outputSize: try adaptive(&c)) },
        "BatchNorm1d": { c in try batchNorm(&c) { try BatchNorm1d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) } },
        "BatchNorm2d": { c in try batchNorm(&c) { try BatchNorm2d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) } },
        "LayerNorm": { c in
            let shape: JSON = c.given("normalized_shape") ?? .null
            let dims = shape.intValue != nil ? [try Int(json: shape, option: "normalized_shape")]
                                             : try [Int](json: shape, option: "normalized_shape")
            return try LayerNorm(dims, eps: try c.value("eps", Float(1e-5)),
                                 elementwiseAffine: try c.value("elementwise_affine", true), bias: try c.value("bias", true))
        },
        "LocalResponseNorm": { c in
            try LocalResponseNorm(size: try c.required("size"), alpha: try c.value("alpha", Float(1e-4)),
                                  beta: try c.value("beta", Float(0.75)), k: try c.value("k", Float(1)))
        },
    ]

    private static func batchNorm(_ c: inout ModelConfig,
                                  _ make: (Int, Float, Float?, Bool, Bool) throws -> BatchNorm) throws -> Module {
        try make(try c.required("num_features"), try c.value("eps", Float(1e-5)), try c.value("momentum", Float?(0.1)),
                 try c.value("affine", true), try c.value("track_running_stats", true))
    }

    private static func adaptive(_ c: inout ModelConfig) throws -> (Int?, Int?) {
        let size: AdaptiveSize = try c.required("output_size")
        return (size.h, size.w)
    }

    /// PyTorch's `inplace` flag: accepted and shown; results are computed out of place.
    private static func inplace<M: InplaceFlag>(_ module: M, _ c: inout ModelConfig) throws -> Module {
        module.inplace = try c.value("inplace", false)
        return module
    }
}

/// Layers with PyTorch's `inplace` argument.
public protocol InplaceFlag: Module {
    var inplace: Bool { get set }
}

extension ModelConfig {
    /// The argument `key` decoded as T; `defaultValue` when absent.
    public mutating func value<T: OptionValue>(_ key: String, _ defaultValue: T) throws -> T {
        guard let json = given(key) else { return defaultValue }
        return try T(json: json, option: "\(model): \(key)")
    }

    /// An argument without a default.
    public mutating func required<T: OptionValue>(_ key: String) throws -> T {
        guard let json = given(key), json != .null else {
            throw SwiftNNError.wrongType("\(model): missing required argument '\(key)'")
        }
        return try T(json: json, option: "\(model): \(key)")
    }
}
