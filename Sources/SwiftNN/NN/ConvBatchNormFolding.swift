import SwiftNNKernels

/// A Conv2d's filters and bias as inference runs them: with the following eval-mode
/// BatchNorm folded in,
///
///     s = γ / √(running_var + eps)      w' = w·s[o]      b' = (b − running_mean)·s + β
///
/// so conv(x, w') + b' equals bn(conv(x, w) + b) up to float rounding, or without one the
/// convolution's own tensors (not copied), for the packed filters alone. Kept on the
/// convolution and rebuilt when any source changes: each source tensor is held by
/// identity (a replaced parameter is a different object) and by its storage's version,
/// which every in-place write bumps (optimizer steps, load_state_dict, `copy_`,
/// nn.init, a training-mode running-statistics update), and eps is compared too.
/// The filters are also kept packed for the GEMM and Winograd-transformed, each once its
/// kernel path runs.
final class FoldedConvolution: PreparedFilters {
    private let sources: [Tensor?]
    private let versions: [Int]
    private let eps: Float?
    let weight: Tensor
    let bias: Tensor?
    private var packed: [PackedMatrix]?
    private var winograd: Winograd.PackedFilters?

    func winogradFilters(outChannels: Int, inChannels: Int, tileSize: Int) -> Winograd.PackedFilters? {
        InferenceCaches.locked {
            if let winograd, winograd.tileSize == tileSize { return winograd }
            let made = Winograd.PackedFilters(weight.data, outChannels: outChannels, inChannels: inChannels,
                                              rotated: false, tileSize: tileSize)
            winograd = made
            return made
        }
    }

    func packedFilters(groups: Int) -> [PackedMatrix]? {
        InferenceCaches.locked {
            if let packed { return packed }
            let rows = weight.shape[0] / groups, depth = weight.count / weight.shape[0]
            var made: [PackedMatrix] = []
            for group in 0..<groups {
                guard let matrix = PackedMatrix(weight.data + group &* rows &* depth, rows: rows, depth: depth, lda: depth)
                else { return nil }
                made.append(matrix)
            }
            packed = made
            return made
        }
    }

    init(conv: Conv2d, bn: BatchNorm?) throws {
        sources = FoldedConvolution.sources(conv, bn)
        versions = sources.map { $0?.version ?? -1 }
        eps = bn?.eps
        guard let bn, let mean = bn.runningMean, let variance = bn.runningVar, let eps else {
            weight = conv.weight
            bias = conv.bias
            return
        }
        let outChannels = conv.outChannels, perChannel = conv.weight.count / outChannels
        weight = try Tensor(uninitializedShape: conv.weight.shape)
        let foldedBias = try Tensor(uninitializedShape: [outChannels])
        let w = conv.weight.data, folded = weight.data
        for o in 0..<outChannels {
            let scale = Double(bn.weight?.data[o] ?? 1) / (Double(variance.data[o]) + Double(eps)).squareRoot()
            for i in 0..<perChannel { folded[o &* perChannel &+ i] = Float(Double(w[o &* perChannel &+ i]) * scale) }
            let shift = Double(conv.bias?.data[o] ?? 0) - Double(mean.data[o])
            foldedBias.data[o] = Float(shift * scale + Double(bn.bias?.data[o] ?? 0))
        }
        bias = foldedBias
    }

    private static func sources(_ conv: Conv2d, _ bn: BatchNorm?) -> [Tensor?] {
        [conv.weight, conv.bias, bn?.weight, bn?.bias, bn?.runningMean, bn?.runningVar]
    }

    /// True while every source is the same tensor at the same version and eps is unchanged.
    func isCurrent(_ conv: Conv2d, _ bn: BatchNorm?) -> Bool {
        guard bn?.eps == eps else { return false }
        let now = FoldedConvolution.sources(conv, bn)
        for (i, tensor) in now.enumerated() {
            guard tensor === sources[i], (tensor?.version ?? -1) == versions[i] else { return false }
        }
        return true
    }

    /// The cache of `conv` for `bn`, rebuilt if anything it depends on changed.
    static func current(_ conv: Conv2d, _ bn: BatchNorm?) throws -> FoldedConvolution {
        try InferenceCaches.locked {
            if let cached = conv.folded, cached.isCurrent(conv, bn) { return cached }
            let made = try FoldedConvolution(conv: conv, bn: bn)
            conv.folded = made
            return made
        }
    }
}
