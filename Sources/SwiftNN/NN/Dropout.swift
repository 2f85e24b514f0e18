/// Zeroes elements with probability `p` in training, scaling survivors by 1/(1−p).
public final class Dropout: Module {
    public let p: Float

    public init(p: Float = 0.5) throws {
        guard p >= 0 && p <= 1 else {
            throw SwiftNNError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        self.p = p
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor { try input.dropout(p: p, training: training) }
    public override var extraDescription: String { "p=\(p), inplace=False" }
}
