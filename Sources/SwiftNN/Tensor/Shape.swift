import SwiftNNKernels

/// Shape arithmetic shared by the ops: broadcasting, dimension wrapping, strides.
enum Shape {
    /// NumPy/PyTorch broadcasting: align trailing dimensions; each pair must be
    /// equal or contain a 1.
    static func broadcast(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw SwiftNNError.invalidArgument(
                    "shapes \(describe(a)) and \(describe(b)) cannot be broadcast together "
                    + "(dimension \(i): \(da) vs \(db))")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Maps a possibly negative `dim` into 0..<rank (a 0-d tensor accepts 0 and -1).
    static func wrap(_ dim: Int, rank: Int) throws -> Int {
        let r = max(rank, 1)
        guard dim >= -r && dim < r else {
            throw SwiftNNError.outOfRange(
                "dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
        }
        return dim < 0 ? dim + r : dim
    }

    /// Wraps and de-duplicates a list of dims; nil means every dimension.
    static func wrapDims(_ dims: [Int]?, rank: Int) throws -> [Int] {
        guard let dims else { return Array(0..<rank) }
        var seen = Set<Int>()
        for d in dims {
            let w = try wrap(d, rank: rank)
            guard seen.insert(w).inserted else {
                throw SwiftNNError.invalidArgument("dim \(w) appears multiple times in the list of dims")
            }
        }
        return seen.sorted()
    }

    /// Row-major strides, 0 where `shape` is broadcast up to `target` (Strides, in the kernels).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] { Strides.broadcast(shape, to: target) }

    static func contiguousStrides(_ shape: [Int]) -> [Int] { Strides.contiguous(shape) }
}
