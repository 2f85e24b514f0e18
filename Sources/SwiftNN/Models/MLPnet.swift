/// The MLP of the reference tutorial: 3·32·32 → 128 → 64 → 10 with ReLU and
/// dropout 0.5 before the last layer (402,250 parameters).
public final class MLPnet: Module {
    public let fc1: Linear, fc2: Linear, dropout: Dropout, fc3: Linear

    public init(inputSize: Int = 3 * 32 * 32, classes: Int = 10) throws {
        fc1 = try Linear(inputSize, 128)
        fc2 = try Linear(128, 64)
        dropout = try Dropout(p: 0.5)
        fc3 = try Linear(64, classes)
        super.init()
        registerModule("fc1", fc1)
        registerModule("fc2", fc2)
        registerModule("dropout", dropout)
        registerModule("fc3", fc3)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        var x = try input.flatten(startDim: 1)
        x = try fc1.reluForward(x)
        x = try fc2.reluForward(x)
        x = try dropout(x)
        return try fc3(x)
    }
}
