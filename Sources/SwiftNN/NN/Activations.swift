/// Parameter-free layers wrapping one tensor op each.
public final class ReLU: Module, InplaceFlag {
    public var inplace = false
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor {
        inplace ? try input.updatedInPlace { try $0.relu() } : try input.relu()
    }
    public override var extraDescription: String { inplace ? "inplace=True" : "" }
    public override var options: [ModuleOption] { [ModuleOption("inplace", inplace) { self.inplace = $0 }] }
}

public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.sigmoid() }
}

public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.tanh() }
}

public final class Softmax: Module {
    public var dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.softmax(dim: dim) }
    public override var extraDescription: String { "dim=\(dim)" }
    public override var options: [ModuleOption] { [ModuleOption("dim", dim) { self.dim = $0 }] }
}

public final class LogSoftmax: Module {
    public var dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { try input.logSoftmax(dim: dim) }
    public override var extraDescription: String { "dim=\(dim)" }
    public override var options: [ModuleOption] { [ModuleOption("dim", dim) { self.dim = $0 }] }
}

public final class Identity: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) throws -> Tensor { input }
}
