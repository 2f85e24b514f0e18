extension Tensor {
    /// Zeroes each element with probability `p` and scales survivors by 1/(1−p);
    /// the identity when not training or p == 0.
    public func dropout(p: Float, training: Bool) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw SwiftNNError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        if !training || p == 0 { return self }
        let mask = try Tensor(uninitializedShape: shape)
        let keep = 1 - p
        let scale: Float = p == 1 ? 0 : 1 / keep
        DefaultGenerator.withGenerator { rng in
            for i in 0..<count { mask.data[i] = rng.nextUniform() < keep ? scale : 0 }
        }
        return try zipped(mask, *).recording("DropoutBackward", inputs: [self]) { g, _ in [try g.zipped(mask, *)] }
    }
}
