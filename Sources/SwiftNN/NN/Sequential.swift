/// Runs its children in order; they are named "0", "1", ... as in PyTorch.
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { registerModule(String(i), layer) }
    }

    public convenience init(_ layers: Module...) { self.init(layers) }

    public var layers: [Module] { namedChildren.map(\.module) }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try namedChildren.reduce(input) { x, child in try child.module(x) }
    }
}
