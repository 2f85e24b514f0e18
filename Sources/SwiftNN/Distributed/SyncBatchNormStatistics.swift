/// The two exchanges that make batch norm synchronous across a process group (PyTorch's
/// `nn.SyncBatchNorm`): the forward normalizes with the statistics of the joint batch, and the
/// backward's input gradient uses the joint batch's Σg and Σg·x̂. Weight and bias gradients
/// stay per rank: the gradient all-reduce of DistributedDataParallel sums those.
extension ProcessGroup {
    /// Each rank's count, mean and biased variance, gathered and combined into the joint
    /// batch's (in place): μ = Σ nᵣμᵣ / N, σ² = Σ nᵣ(σᵣ² + (μᵣ − μ)²) / N, as PyTorch's
    /// batch_norm_gather_stats_with_counts. Returns N.
    func combineMoments(count: Int, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                        channels: Int) throws -> Int {
        // The count travels as a float32: exact below 2²⁴.
        guard count < 1 << 24 else {
            throw SwiftNNError.invalidArgument("SyncBatchNorm: \(count) values per channel on one rank (at most 16777215)")
        }
        var local = [Float](repeating: 0, count: 1 &+ 2 &* channels)
        local[0] = Float(count)
        for c in 0..<channels where count > 0 {
            local[1 &+ c] = mean[c]
            local[1 &+ channels &+ c] = variance[c]
        }
        let all = try allGathered(local)
        let stride = local.count
        let counts = (0..<size).map { Double(all[$0 &* stride]) }
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        for c in 0..<channels {
            var mu = 0.0
            for r in 0..<size where counts[r] > 0 { mu += counts[r] * Double(all[r &* stride &+ 1 &+ c]) }
            mu /= total
            var v = 0.0
            for r in 0..<size where counts[r] > 0 {
                let d = Double(all[r &* stride &+ 1 &+ c]) - mu
                v += counts[r] * (Double(all[r &* stride &+ 1 &+ channels &+ c]) + d * d)
            }
            mean[c] = Float(mu)
            variance[c] = Float(v / total)
        }
        return Int(total)
    }

    /// The joint batch's Σg and Σg·x̂ per channel, scaled by localCount / jointCount: the
    /// backward kernels divide by the local count, so they then average over the joint batch.
    func jointGradientSums(sumG: Tensor, sumGXhat: Tensor, localCount: Int, jointCount: Int) throws -> (Tensor, Tensor) {
        let channels = sumG.count
        let totals = try orderedSums(sumG.scalars + sumGXhat.scalars)
        let scale = jointCount > 0 ? Double(localCount) / Double(jointCount) : 0
        let jointG = try Tensor(uninitializedShape: [channels]), jointGXhat = try Tensor(uninitializedShape: [channels])
        for c in 0..<channels {
            jointG.data[c] = Float(totals[c] * scale)
            jointGXhat.data[c] = Float(totals[channels &+ c] * scale)
        }
        return (jointG, jointGXhat)
    }
}
