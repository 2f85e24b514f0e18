/// The common part of every optimizer: the parameters it updates and a learning
/// rate that schedulers may change between steps.
open class Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float

    public init(parameters: [Tensor], learningRate: Float) throws {
        guard learningRate >= 0, learningRate.isFinite else {
            throw SwiftNNError.invalidArgument("Invalid learning rate: \(learningRate)")
        }
        var seen = Set<ObjectIdentifier>()
        for p in parameters where !seen.insert(ObjectIdentifier(p)).inserted {
            throw SwiftNNError.invalidArgument("some parameters appear more than once in the parameter list")
        }
        self.parameters = parameters
        self.learningRate = learningRate
    }

    /// Applies one update to every parameter that has a gradient.
    open func step() throws {
        throw SwiftNNError.runtime("\(type(of: self)) does not implement step()")
    }

    /// Clears the gradients (set to none, PyTorch's default).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}
