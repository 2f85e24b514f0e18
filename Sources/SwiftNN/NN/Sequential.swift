/// Runs its children in order; they are named "0", "1", ... as in PyTorch.
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { registerModule(String(i), layer) }
    }

    public convenience init(_ layers: Module...) { self.init(layers) }

    public var layers: [Module] { namedChildren.map(\.module) }

    public override func forward(_ input: Tensor) throws -> Tensor { try runLayers(namedChildren, input) }
}

extension Module {
    /// Runs `layers` in order, flattening to [N, −1] before the one named `head`. A
    /// BatchNorm directly followed by a ReLU runs as one fused op (same result), with
    /// both layers still profiled and traced.
    func runLayers(_ layers: [(name: String, module: Module)], _ input: Tensor, flattenBefore head: String? = nil) throws -> Tensor {
        var x = input
        var rest = layers[...]
        while let (name, layer) = rest.popFirst() {
            if name == head { x = try x.flatten(startDim: 1) }
            if let bn = layer as? BatchNorm, let relu = rest.first?.module as? ReLU {
                x = try bn.withReLU(x)
                relu.traceFusedCall(x)
                rest.removeFirst()
            } else {
                x = try layer(x)
            }
        }
        return x
    }
}
