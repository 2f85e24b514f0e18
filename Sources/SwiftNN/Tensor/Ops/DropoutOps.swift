extension Tensor {
    /// Zeroes each element with probability `p` and scales survivors by 1/(1−p);
    /// the identity when not training or p == 0.
    public func dropout(p: Float, training: Bool) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw SwiftNNError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        if !training || p == 0 { return self }
        let keep = 1 - p
        let scale: Float = p == 1 ? 0 : 1 / keep
        let key = DefaultGenerator.withGenerator { $0.next() }
        let out = try Tensor(uninitializedShape: shape)
        DropoutKernel.apply(data, out.data, count: count, key: key, keep: keep, scale: scale)
        return out.recording("DropoutBackward", inputs: [self], saving: []) { g, _ in
            let gx = try Tensor(uninitializedShape: g.shape)
            DropoutKernel.apply(g.data, gx.data, count: g.count, key: key, keep: keep, scale: scale)
            return [gx]
        }
    }
}
