#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// var and std over dimensions with a degrees-of-freedom correction (torch.var / torch.std),
/// and clone; each forward next to its gradient.
extension Tensor {
    /// The deviations from the mean over `dims` (every dimension when nil), the shape the
    /// reduction keeps (reduced dimensions as 1) and the divisor max(0, n − correction).
    private func spread(_ dims: [Int]?, correction: Float) throws -> (centered: Tensor, kept: [Int], divisor: Float) {
        let reduced = try Shape.wrapDims(dims, rank: rank)
        var kept = shape
        for d in reduced where d < rank { kept[d] = 1 }
        let n = reduced.filter { $0 < rank }.map { shape[$0] }.reduce(1, *)
        let centered = try withNoGrad { try subtracting(mean(dims: dims, keepDim: true)) }
        // A divisor of 0 gives inf (or NaN for 0/0), as PyTorch's var of one element.
        return (centered, kept, Swift.max(0, Float(n) - correction))
    }

    /// Σ(x − mean)² / max(0, n − correction) over `dims`; correction 1 is Bessel's (unbiased).
    /// d/dx = 2(x − mean) / divisor (the mean's own dependence on x cancels).
    public func variance(dims: [Int]? = nil, correction: Float = 1, keepDim: Bool = false) throws -> Tensor {
        let (centered, kept, divisor) = try spread(dims, correction: correction)
        let out = try withNoGrad { try centered.multiplying(centered).sum(dims: dims, keepDim: keepDim) }
            .mapped { $0 / divisor }
        return out.recording("VarBackward", inputs: [self]) { g, _ in
            [try centered.broadcastCombine(try g.reshape(kept)) { 2 * $0 * $1 / divisor }]
        }
    }

    /// √variance; d/dx = (x − mean) / (divisor · std).
    public func std(dims: [Int]? = nil, correction: Float = 1, keepDim: Bool = false) throws -> Tensor {
        let (centered, kept, divisor) = try spread(dims, correction: correction)
        let out = try withNoGrad { try centered.multiplying(centered).sum(dims: dims, keepDim: keepDim) }
            .mapped { sqrtf($0 / divisor) }
        return out.recording("StdBackward", inputs: [self]) { g, out in
            let scale = try g.zipped(out) { $0 / ($1 * divisor) }.reshape(kept)
            return [try centered.broadcastCombine(scale, *)]
        }
    }
}
