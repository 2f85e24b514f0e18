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
    /// both layers still profiled and traced. In inference a Conv2d → BatchNorm (→ ReLU)
    /// runs as one convolution with the BatchNorm folded in (`Conv2d.foldedForward`).
    func runLayers(_ layers: [(name: String, module: Module)], _ input: Tensor, flattenBefore head: String? = nil) throws -> Tensor {
        var x = input
        var rest = layers[...]
        while let (name, layer) = rest.popFirst() {
            if name == head { x = try x.flatten(startDim: 1) }
            if let conv = layer as? Conv2d, let (bn, relu) = batchNormAfter(rest, head: head),
               let out = try conv.foldedForward(x, bn: bn, relu: relu) {
                x = out
                rest.removeFirst(relu ? 2 : 1)
            } else if let bn = layer as? BatchNorm, let relu = rest.first?.module as? ReLU {
                x = try bn.withReLU(x)
                relu.traceFusedCall(x)
                rest.removeFirst()
            } else {
                x = try layer(x)
            }
        }
        return x
    }

    /// The BatchNorm that `rest` starts with, and whether a ReLU follows it (the head,
    /// which a flatten precedes, is neither).
    private func batchNormAfter(_ rest: ArraySlice<(name: String, module: Module)>, head: String?) -> (BatchNorm, Bool)? {
        guard let next = rest.first, next.name != head, let bn = next.module as? BatchNorm else { return nil }
        let after = rest.dropFirst().first
        return (bn, after.map { $0.module is ReLU && $0.name != head } ?? false)
    }
}
