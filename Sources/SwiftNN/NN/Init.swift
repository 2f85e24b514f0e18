/// Weight initialisers with PyTorch's formulas (`torch.nn.init`). They draw
/// from the default generator, so a seed fixes every model's initial weights.
public enum Init {
    /// fan_in and fan_out of a weight [out, in, k...]: PyTorch's `_calculate_fan_in_and_fan_out`.
    public static func fans(_ shape: [Int]) throws -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else {
            throw SwiftNNError.invalidArgument("fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got \(describe(shape))")
        }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    public static func uniform(_ t: Tensor, low: Float, high: Float) {
        DefaultGenerator.withGenerator { $0.fillUniform(t.data, count: t.count, low: low, high: high) }
        t.bumpVersion()
    }

    public static func normal(_ t: Tensor, mean: Float = 0, std: Float = 1) {
        DefaultGenerator.withGenerator { $0.fillNormal(t.data, count: t.count, mean: mean, std: std) }
        t.bumpVersion()
    }

    public static func constant(_ t: Tensor, _ value: Float) {
        t.data.update(repeating: value, count: t.count)
        t.bumpVersion()
    }

    /// Kaiming (He) uniform for leaky-ReLU slope `a` over fan_in: bound = gain·√(3/fan_in),
    /// gain = √(2/(1+a²)). With a = √5 this is PyTorch's default for Linear and Conv.
    public static func kaimingUniform(_ t: Tensor, a: Float = 0) throws {
        let fanIn = try fans(t.shape).fanIn
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = fanIn == 0 ? 0 : gain * (3 / Float(fanIn)).squareRoot()
        uniform(t, low: -bound, high: bound)
    }
}
