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
    /// both layers still profiled and traced. In inference a Conv2d followed by a
    /// BatchNorm and/or a ReLU runs as one convolution (`Conv2d.fusedForward`), and a
    /// Linear followed by a ReLU as one product (`Linear.fusedReLUForward`).
    func runLayers(_ layers: [(name: String, module: Module)], _ input: Tensor, flattenBefore head: String? = nil) throws -> Tensor {
        var x = input
        var rest = layers[...]
        while let (name, layer) = rest.popFirst() {
            if name == head { x = try x.flatten(startDim: 1) }
            if let conv = layer as? Conv2d, let (bn, relu) = fusibleAfterConvolution(rest, head: head),
               let out = try conv.fusedForward(x, bn: bn, relu: relu) {
                x = out
                rest.removeFirst((bn == nil ? 0 : 1) + (relu ? 1 : 0))
            } else if let linear = layer as? Linear, let next = rest.first, next.name != head, next.module is ReLU,
                      let out = try linear.fusedReLUForward(x) {
                x = out
                rest.removeFirst()
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

    /// The BatchNorm that `rest` starts with and whether a ReLU follows it, or a leading
    /// ReLU alone; nil if neither (the head, which a flatten precedes, is never taken).
    private func fusibleAfterConvolution(_ rest: ArraySlice<(name: String, module: Module)>,
                                         head: String?) -> (BatchNorm?, Bool)? {
        func isReLU(_ layer: (name: String, module: Module)?) -> Bool {
            layer.map { $0.module is ReLU && $0.name != head } ?? false
        }
        guard let next = rest.first, next.name != head else { return nil }
        if let bn = next.module as? BatchNorm { return (bn, isReLU(rest.dropFirst().first)) }
        return isReLU(next) ? (nil, true) : nil
    }
}

extension Module {
    /// `modules` applied in order as a Sequential of them would run (with its fusions):
    /// a run of engine layers of a Python-defined nn.Sequential, in one call.
    public static func runInOrder(_ modules: [Module], _ input: Tensor) throws -> Tensor {
        try Sequential(modules)(input)
    }
}
