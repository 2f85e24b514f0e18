/// Stochastic gradient descent with PyTorch's exact update (`torch.optim.SGD`):
///
///     g = ∇ + weight_decay·p
///     b = g                                  (first step)
///     b = momentum·b + (1 − dampening)·g     (later steps)
///     g = g + momentum·b  if nesterov, else g = b
///     p = p − lr·g
public final class SGD: Optimizer {
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    private var momentumBuffers: [Tensor?]

    public init(parameters: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) throws {
        guard momentum >= 0 else { throw SwiftNNError.invalidArgument("Invalid momentum value: \(momentum)") }
        guard weightDecay >= 0 else { throw SwiftNNError.invalidArgument("Invalid weight_decay value: \(weightDecay)") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw SwiftNNError.invalidArgument("Nesterov momentum requires a momentum and zero dampening")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = Array(repeating: nil, count: parameters.count)
        try super.init(parameters: parameters, learningRate: lr)
    }

    public override func step() throws {
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count
            let w = p.data, gr = grad.data
            let lr = learningRate, wd = weightDecay, mu = momentum, keep = 1 - dampening
            if mu == 0 {
                for i in 0..<n { w[i] -= lr * (gr[i] + wd * w[i]) }
                continue
            }
            if let buffer = momentumBuffers[index] {
                let b = buffer.data
                for i in 0..<n {
                    let g = gr[i] + wd * w[i]
                    b[i] = mu * b[i] + keep * g
                    w[i] -= lr * (nesterov ? g + mu * b[i] : b[i])
                }
            } else {
                let buffer = try Tensor(uninitializedShape: p.shape)
                let b = buffer.data
                for i in 0..<n {
                    let g = gr[i] + wd * w[i]
                    b[i] = g
                    w[i] -= lr * (nesterov ? g + mu * g : g)
                }
                momentumBuffers[index] = buffer
            }
        }
    }
}
