#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A labelled collection of samples held by the engine (PyTorch's map-style
/// `Dataset`). Samples all have the same shape; image datasets use [C, H, W].
///
/// `isRawPixels` marks uint8 image data: samples are then handed out as their
/// byte values (0...255) and `ToTensor` scales them to [0, 1], as torchvision's
/// ToTensor does for PIL images.
public protocol Dataset: AnyObject {
    var count: Int { get }
    var sampleShape: [Int] { get }
    var isRawPixels: Bool { get }
    /// The class index of sample `index` (0 <= index < count).
    func label(_ index: Int) -> Int
    /// Writes sample `index` (0 <= index < count) as `sampleShape.product` floats.
    func loadSample(_ index: Int, into out: UnsafeMutablePointer<Float>)
}

extension Dataset {
    public var sampleCount: Int { sampleShape.reduce(1, *) }

    func checkIndex(_ index: Int) throws {
        guard index >= 0 && index < count else {
            throw SwiftNNError.outOfRange("index \(index) is out of range for a dataset of \(count) samples")
        }
    }

    /// Sample `index` as a tensor of `sampleShape`, with its label.
    public func sample(_ index: Int) throws -> (Tensor, Int) {
        try checkIndex(index)
        let t = try Tensor(uninitializedShape: sampleShape)
        loadSample(index, into: t.data)
        return (t, label(index))
    }
}

/// Samples in one contiguous uint8 or float32 buffer of shape [N] + sampleShape,
/// plus integer labels: what the CIFAR-10 and MNIST readers and TensorDataset produce.
public final class ArrayDataset: Dataset {
    public let count: Int
    public let sampleShape: [Int]
    public var isRawPixels: Bool { bytes != nil }
    public let labels: [Int]
    private let bytes: UnsafeMutablePointer<UInt8>?
    private let floats: UnsafeMutablePointer<Float>?
    private let stride: Int

    private init(sampleShape: [Int], labels: [Int], uint8: Bool) throws {
        try validateShape([labels.count] + sampleShape)
        count = labels.count
        self.sampleShape = sampleShape
        self.labels = labels
        stride = sampleShape.reduce(1, *)
        let total = max(count &* stride, 1)
        if uint8 {
            guard let p = malloc(total) else { throw SwiftNNError.runtime("cannot allocate \(total) bytes for a dataset") }
            bytes = p.bindMemory(to: UInt8.self, capacity: total)
            floats = nil
        } else {
            guard let p = malloc(total &* 4) else {
                throw SwiftNNError.runtime("cannot allocate \(total) float32 elements for a dataset")
            }
            floats = p.bindMemory(to: Float.self, capacity: total)
            bytes = nil
        }
    }

    /// Copies `labels.count` uint8 samples of `sampleShape` from `pixels`.
    public convenience init(pixels: UnsafePointer<UInt8>, sampleShape: [Int], labels: [Int]) throws {
        try self.init(sampleShape: sampleShape, labels: labels, uint8: true)
        bytes!.update(from: pixels, count: count &* stride)
    }

    /// Copies `labels.count` float32 samples of `sampleShape` from `values`.
    public convenience init(values: UnsafePointer<Float>, sampleShape: [Int], labels: [Int]) throws {
        try self.init(sampleShape: sampleShape, labels: labels, uint8: false)
        floats!.update(from: values, count: count &* stride)
    }

    /// Builds a uint8 dataset whose bytes `fill` writes (readers decode straight into it).
    static func decoding(sampleShape: [Int], labels: [Int],
                         _ fill: (UnsafeMutablePointer<UInt8>) -> Void) throws -> ArrayDataset {
        let d = try ArrayDataset(sampleShape: sampleShape, labels: labels, uint8: true)
        fill(d.bytes!)
        return d
    }

    /// Samples from the first dimension of a float tensor (PyTorch's `TensorDataset(x, y)`).
    public convenience init(_ samples: Tensor, labels: [Int]) throws {
        guard samples.rank >= 1, samples.shape[0] == labels.count else {
            throw SwiftNNError.invalidArgument(
                "Size mismatch between tensors: \(describe(samples.shape)) samples and \(labels.count) labels")
        }
        try self.init(values: samples.data, sampleShape: Array(samples.shape.dropFirst()), labels: labels)
    }

    deinit { free(bytes); free(floats) }

    public func label(_ index: Int) -> Int { labels[index] }

    public func loadSample(_ index: Int, into out: UnsafeMutablePointer<Float>) {
        let offset = index &* stride
        if let bytes {
            let src = bytes + offset
            for i in 0..<stride { out[i] = Float(src[i]) }
        } else {
            out.update(from: floats! + offset, count: stride)
        }
    }

    /// Copies the whole buffer out: `count * sampleCount` bytes (uint8) or floats.
    public func copyStorage(to destination: UnsafeMutableRawPointer) {
        if let bytes {
            destination.copyMemory(from: bytes, byteCount: count &* stride)
        } else {
            destination.copyMemory(from: floats!, byteCount: count &* stride &* 4)
        }
    }
}

/// PyTorch's name for an in-memory dataset of samples and labels.
public typealias TensorDataset = ArrayDataset

/// The samples of `base` at `indices`, in that order (PyTorch's `Subset`).
public final class Subset: Dataset {
    public let base: Dataset
    public let indices: [Int]

    public init(_ base: Dataset, indices: [Int]) throws {
        for i in indices { try base.checkIndex(i) }
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }
    public var sampleShape: [Int] { base.sampleShape }
    public var isRawPixels: Bool { base.isRawPixels }
    public func label(_ index: Int) -> Int { base.label(indices[index]) }
    public func loadSample(_ index: Int, into out: UnsafeMutablePointer<Float>) {
        base.loadSample(indices[index], into: out)
    }
}

// MARK: Seeded permutations

/// Mixes several words into one generator seed (each step is a splitmix64 finaliser).
func mixSeed(_ words: UInt64...) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    for w in words {
        h = (h ^ w) &+ 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
    }
    return h
}

/// A seed drawn from the default generator, so `manualSeed` fixes loaders and splits.
public func drawSeed() -> UInt64 { DefaultGenerator.withGenerator { $0.next() } }

/// A uniformly random permutation of 0..<n (Fisher–Yates), fixed by `seed`.
public func randomPermutation(_ n: Int, seed: UInt64) throws -> [Int] {
    guard n >= 0 else { throw SwiftNNError.invalidArgument("permutation length must be non-negative, got \(n)") }
    var order = Array(0..<n)
    var g = RandomGenerator(seed: seed)
    var i = n - 1
    while i > 0 {
        order.swapAt(i, g.nextInt(below: i + 1))
        i -= 1
    }
    return order
}

/// Splits a dataset into non-overlapping random subsets of the given lengths
/// (PyTorch's `random_split`); the lengths must add up to the dataset's size.
public func randomSplit(_ dataset: Dataset, lengths: [Int], seed: UInt64? = nil) throws -> [Subset] {
    guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == dataset.count else {
        throw SwiftNNError.invalidArgument(
            "sum of input lengths \(lengths) does not equal the length of the input dataset (\(dataset.count))")
    }
    let order = try randomPermutation(dataset.count, seed: seed ?? drawSeed())
    var start = 0
    return try lengths.map { n in
        defer { start += n }
        return try Subset(dataset, indices: Array(order[start..<start + n]))
    }
}

// MARK: Files

/// The whole file as bytes; errors name the file.
func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else {
        throw SwiftNNError.io("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count {
            if ferror(f) != 0 { throw SwiftNNError.io("error reading \(path)") }
            return bytes
        }
    }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
