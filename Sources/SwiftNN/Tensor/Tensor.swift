/// An n-dimensional float32 array in row-major (C-contiguous) order that can take
/// part in reverse-mode automatic differentiation.
///
/// A `Tensor` is a reference type, like PyTorch's: the autograd graph, `grad`
/// accumulation and optimizers all refer to one object. Every op returns a new
/// tensor; `reshape` returns a view over the same storage.
public final class Tensor {
    public let shape: [Int]
    /// Number of elements (the product of `shape`).
    public let count: Int
    /// Never reassigned; a `var` only so autograd can ask whether it is uniquely referenced.
    var storage: TensorStorage

    public internal(set) var requiresGrad: Bool
    /// The accumulated gradient of a leaf tensor after `backward()`.
    public internal(set) var grad: Tensor?
    /// How this tensor was computed; nil for leaves and for results made without grad.
    var gradFn: GradFn?
    /// Where autograd writes this parameter's gradient when a `GradientBuckets` reduces it.
    var gradSlot: GradientSlot?
    /// The storage's version when this tensor was made: its autograd history describes
    /// the elements as they were then.
    let madeAtVersion: Int

    init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = storage
        self.requiresGrad = requiresGrad
        madeAtVersion = storage.version
    }

    /// True when an in-place op recorded through another view of this storage changed
    /// the elements after this tensor was made, so its graph no longer describes them.
    var historyIsStale: Bool { gradFn != nil && storage.rebasedAtVersion > madeAtVersion }

    /// A tensor whose elements the caller writes before anyone reads them.
    /// Every op allocates its result here, so every result shape is checked.
    convenience init(uninitializedShape shape: [Int]) throws {
        try validateShape(shape)
        self.init(shape: shape, storage: try TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// Copies `scalars` into a new tensor of the given shape.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) throws {
        try validateShape(shape)
        let count = shape.reduce(1, *)
        guard scalars.count == count else {
            throw SwiftNNError.invalidArgument(
                "shape \(describe(shape)) holds \(count) elements but \(scalars.count) were given")
        }
        try self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
        self.requiresGrad = requiresGrad
    }

    /// Copies `count` floats from `pointer`.
    public convenience init(shape: [Int], copying pointer: UnsafePointer<Float>) throws {
        try validateShape(shape)
        try self.init(uninitializedShape: shape)
        data.update(from: pointer, count: count)
    }

    /// A 0-dimensional tensor holding one value.
    public convenience init(_ value: Float) {
        // One element always fits: a failure here means the process is already out of memory.
        self.init(shape: [], storage: try! TensorStorage(repeating: value, count: 1))
    }

    /// The first element of the storage. Tensors are always contiguous.
    @inline(__always) var data: UnsafeMutablePointer<Float> { storage.base }

    public var rank: Int { shape.count }
    /// True when no op produced this tensor inside the autograd graph.
    public var isLeaf: Bool { gradFn == nil }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single value of a one-element tensor (`tensor.item()`).
    public func item() throws -> Float {
        guard count == 1 else {
            throw SwiftNNError.invalidArgument(
                "a Tensor with \(count) elements cannot be converted to a scalar")
        }
        return data[0]
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: data, count: count))
    }

    /// Copies the elements into `destination`, which must hold `count` floats.
    public func copy(to destination: UnsafeMutablePointer<Float>) {
        destination.update(from: data, count: count)
    }

    /// Overwrites the elements in place (for loading weights); not recorded by autograd.
    public func assign(from source: UnsafePointer<Float>) {
        data.update(from: source, count: count)
        bumpVersion()
    }

    /// Overwrites the elements with another tensor's, which must have the same shape.
    public func assign(_ other: Tensor) throws {
        guard other.shape == shape else {
            throw SwiftNNError.invalidArgument(
                "cannot copy a tensor of shape \(describe(other.shape)) into one of shape \(describe(shape))")
        }
        data.update(from: other.data, count: count)
        bumpVersion()
    }

    /// Turns gradient tracking on or off. Only leaves may change it, as in PyTorch.
    @discardableResult
    public func setRequiresGrad(_ flag: Bool = true) throws -> Tensor {
        guard isLeaf else {
            throw SwiftNNError.runtime(
                "you can only change requires_grad flags of leaf variables; use detach() first")
        }
        requiresGrad = flag
        return self
    }

    /// Replaces (or clears) the accumulated gradient.
    public func setGrad(_ newGrad: Tensor?) throws {
        if let g = newGrad, g.shape != shape {
            throw SwiftNNError.invalidArgument(
                "assigned grad has shape \(describe(g.shape)) but the tensor has shape \(describe(shape))")
        }
        grad = newGrad
    }

    /// A new leaf sharing this tensor's storage, outside the autograd graph.
    public func detach() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A deep copy outside the autograd graph.
    public func clonedData() throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        out.data.update(from: data, count: count)
        return out
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(describe(shape)), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

/// Dimensions must be non-negative and the element count must fit in memory.
func validateShape(_ shape: [Int]) throws {
    var count = 1
    for d in shape {
        guard d >= 0 else {
            throw SwiftNNError.invalidArgument("negative dimension \(d) in shape \(describe(shape))")
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow, product <= (1 << 40) else {
            throw SwiftNNError.invalidArgument("shape \(describe(shape)) is too large")
        }
        count = product
    }
}
