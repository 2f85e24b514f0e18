/// Zeroes elements with probability `p` in training, scaling survivors by 1/(1−p).
public final class Dropout: Module, InplaceFlag {
    public private(set) var p: Float
    public var inplace = false

    public init(p: Float = 0.5) throws {
        self.p = try checkedDropoutProbability(p)
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        inplace ? try input.updatedInPlace { try $0.dropout(p: p, training: training) }
            : try input.dropout(p: p, training: training)
    }
    public override var extraDescription: String { "p=\(p), inplace=\(inplace ? "True" : "False")" }
    public override var options: [ModuleOption] {
        [ModuleOption("p", p) { self.p = try checkedDropoutProbability($0) }, ModuleOption("inplace", inplace) { self.inplace = $0 }]
    }
}
