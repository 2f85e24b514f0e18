/// LeakyReLU, GELU, SiLU and Dropout2d layers over their tensor ops.
public final class LeakyReLU: Module, InplaceFlag {
    public var negativeSlope: Float
    public var inplace = false
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope; super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.leakyRelu(negativeSlope: negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)\(inplace ? ", inplace=True" : "")" }
    public override var options: [ModuleOption] {
        [ModuleOption("negative_slope", negativeSlope) { self.negativeSlope = $0 },
         ModuleOption("inplace", inplace) { self.inplace = $0 }]
    }
}

public final class GELU: Module {
    public private(set) var approximate: String
    public init(approximate: String = "none") throws {
        self.approximate = try GELU.checked(approximate)
        super.init()
    }
    private static func checked(_ approximate: String) throws -> String {
        guard approximate == "none" || approximate == "tanh" else {
            throw SwiftNNError.invalidArgument("approximate argument must be either none or tanh, got '\(approximate)'")
        }
        return approximate
    }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.gelu(approximate: approximate) }
    public override var extraDescription: String { "approximate='\(approximate)'" }
    public override var options: [ModuleOption] {
        [ModuleOption("approximate", approximate) { self.approximate = try GELU.checked($0) }]
    }
}

public final class SiLU: Module, InplaceFlag {
    public var inplace = false
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.silu() }
    public override var extraDescription: String { inplace ? "inplace=True" : "" }
    public override var options: [ModuleOption] { [ModuleOption("inplace", inplace) { self.inplace = $0 }] }
}

/// Zeroes whole channels with probability `p` in training, scaling kept ones by 1/(1−p).
public final class Dropout2d: Module, InplaceFlag {
    public private(set) var p: Float
    public var inplace = false

    public init(p: Float = 0.5) throws {
        self.p = try checkedDropoutProbability(p)
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.dropout2d(p: p, training: training) }
    public override var extraDescription: String { "p=\(p), inplace=\(inplace ? "True" : "False")" }
    public override var options: [ModuleOption] {
        [ModuleOption("p", p) { self.p = try checkedDropoutProbability($0) }, ModuleOption("inplace", inplace) { self.inplace = $0 }]
    }
}
