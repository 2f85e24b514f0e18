extension Tensor {
    /// Splits the shape around `dim` into [outer, size, inner].
    func axisLayout(_ dim: Int) throws -> (outer: Int, size: Int, inner: Int) {
        let d = try Shape.wrap(dim, rank: rank)
        if rank == 0 { return (1, 1, 1) }
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    public func softmax(dim: Int) throws -> Tensor { try softmaxLike(dim: dim, log: false) }
    public func logSoftmax(dim: Int) throws -> Tensor { try softmaxLike(dim: dim, log: true) }

    private func softmaxLike(dim: Int, log logOutput: Bool) throws -> Tensor {
        let (outer, size, inner) = try axisLayout(dim)
        let out = try Tensor(uninitializedShape: shape)
        SoftmaxKernel.forward(data, out.data, outer: outer, size: size, inner: inner, log: logOutput)
        OpTrace.record(logOutput ? "log_softmax" : "softmax", [self], out, [("dim", .int(dim))])
        return out.recording(logOutput ? "LogSoftmaxBackward" : "SoftmaxBackward", inputs: [self], saving: [],
                             savesOutput: true) { g, out in
            let dx = try Tensor(uninitializedShape: out.shape)
            SoftmaxKernel.backward(g.data, out.data, dx.data, outer: outer, size: size, inner: inner, log: logOutput)
            return [dx]
        }
    }
}
