extension Tensor {
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, value: 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, value: 1, requiresGrad: requiresGrad)
    }

    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) throws -> Tensor {
        try validateShape(shape)
        return Tensor(shape: shape, storage: try TensorStorage(repeating: value, count: shape.reduce(1, *)),
                      requiresGrad: requiresGrad)
    }

    /// Values from `start` up to (not including) `end` in steps of `step` (`torch.arange`).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw SwiftNNError.invalidArgument("arange needs finite start/end and a non-zero step")
        }
        let span = (Double(end) - Double(start)) / Double(step)
        guard span >= 0 else {
            throw SwiftNNError.invalidArgument(
                "arange: upper bound and step are inconsistent (start \(start), end \(end), step \(step))")
        }
        guard span <= Double(1 << 40) else {
            throw SwiftNNError.invalidArgument("arange: \(span.rounded(.up)) elements is too many")
        }
        let n = Int(span.rounded(.up))
        let out = try zeros([n])
        for i in 0..<n { out.data[i] = Float(Double(start) + Double(i) * Double(step)) }
        return out
    }

    /// Standard-normal samples from the default generator.
    public static func randn(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try validateShape(shape)
        let out = try Tensor(uninitializedShape: shape)
        DefaultGenerator.withGenerator { $0.fillNormal(out.data, count: out.count) }
        out.requiresGrad = requiresGrad
        return out
    }

    /// Uniform samples in [0, 1) from the default generator.
    public static func rand(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try validateShape(shape)
        let out = try Tensor(uninitializedShape: shape)
        DefaultGenerator.withGenerator { $0.fillUniform(out.data, count: out.count) }
        out.requiresGrad = requiresGrad
        return out
    }

    /// Integers uniform in [low, high) as floats, for labels and indices.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int]) throws -> [Int] {
        try validateShape(shape)
        guard high > low else {
            throw SwiftNNError.invalidArgument("randint: high (\(high)) must be greater than low (\(low))")
        }
        let span = try SizeArithmetic.difference(high, low, "randint: the range [\(low), \(high))")
        return DefaultGenerator.withGenerator { g in
            (0..<shape.reduce(1, *)).map { _ in low + g.nextInt(below: span) }
        }
    }
}
