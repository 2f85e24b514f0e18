/// Version counters: how autograd notices that an in-place write overwrote a value a
/// backward still needs (PyTorch's "modified by an inplace operation" error).

/// One input's storage as it was when the op ran.
struct SavedVersion {
    let storage: TensorStorage
    let version: Int
    let shape: [Int]
    /// The op that produced the saved tensor, for the error message.
    let producer: String?

    init(_ tensor: Tensor) {
        storage = tensor.storage
        version = tensor.storage.version
        shape = tensor.shape
        producer = tensor.gradFn?.name
    }
}

extension GradFn {
    /// Throws PyTorch's error when a saved input, or the output the backward reads,
    /// was written in place after this op recorded it.
    func checkSavedVersions(output: Tensor) throws {
        for saved in savedVersions where saved.storage.version != saved.version {
            throw modifiedError(saved.shape, saved.producer, now: saved.storage.version, expected: saved.version)
        }
        if let expected = outputVersion, output.storage.version != expected {
            throw modifiedError(output.shape, name, now: output.storage.version, expected: expected)
        }
    }

    private func modifiedError(_ shape: [Int], _ producer: String?, now: Int, expected: Int) -> SwiftNNError {
        let origin = producer.map { ", which is output 0 of \($0)," } ?? ""
        return SwiftNNError.runtime(
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            + "[FloatTensor \(describe(shape))]\(origin) is at version \(now); expected version \(expected) instead. "
            + "Hint: the backward of \(name) reads it; use the out-of-place op (or .clone()) instead.")
    }
}

extension Tensor {
    /// The number of in-place writes to this tensor's storage so far (PyTorch's `_version`).
    public var version: Int { storage.version }

    /// Records that the elements were overwritten in place.
    @inline(__always) func bumpVersion() { storage.version &+= 1 }

    /// The elements, for a write in place that bypasses the ops (an optimizer step):
    /// counted as one in-place write, as PyTorch's optimizers count.
    func dataForWriting() -> UnsafeMutablePointer<Float> {
        bumpVersion()
        return data
    }
}
