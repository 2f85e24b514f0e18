/// Merges dimensions startDim...endDim (`torch.nn.Flatten`, default keeps the batch).
public final class Flatten: Module {
    public var startDim: Int
    public var endDim: Int

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.flatten(startDim: startDim, endDim: endDim) }
    public override var extraDescription: String { "start_dim=\(startDim), end_dim=\(endDim)" }
    public override var options: [ModuleOption] {
        [ModuleOption("start_dim", startDim) { self.startDim = $0 }, ModuleOption("end_dim", endDim) { self.endDim = $0 }]
    }
}
