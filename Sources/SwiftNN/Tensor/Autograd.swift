/// The backward step of one op: maps the gradient of its output to gradients of
/// its inputs (nil where an input needs none). `output` is passed in rather than
/// captured, so a node never keeps its own tensor alive.
typealias BackwardFunction = (_ gradOutput: Tensor, _ output: Tensor) throws -> [Tensor?]

final class GradFn {
    let name: String
    /// Emptied once the backward has run, so activations are freed during the pass.
    var inputs: [Tensor]
    /// Dropped after the first backward pass, which frees the saved tensors.
    var backward: BackwardFunction?
    /// The storages (with their versions) of the inputs the backward reads; freed with it.
    var savedVersions: [SavedVersion]
    /// The output's version when the backward reads the output, nil otherwise.
    var outputVersion: Int?
    /// Set when an input's history was stale at recording time (see `Tensor.historyIsStale`).
    var staleInputError: String?

    init(name: String, inputs: [Tensor], saving saved: [Tensor], outputVersion: Int?,
         backward: @escaping BackwardFunction) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.savedVersions = saved.map { SavedVersion($0) }
        self.outputVersion = outputVersion
    }
}

extension Tensor {
    /// Attaches `backward` to a freshly computed `output` when grad mode is on and
    /// any input requires grad. Every differentiable op ends with this call.
    ///
    /// `saving` lists the inputs whose values the backward reads (all of them unless
    /// told), and `savesOutput` says it reads the output: an in-place write to any of
    /// them before the backward runs is then an error instead of a wrong gradient.
    @discardableResult
    func recording(_ name: String, inputs: [Tensor], saving saved: [Tensor]? = nil, savesOutput: Bool = false,
                   backward: @escaping BackwardFunction) -> Tensor {
        OpTrace.recordUnlessKnown(name, inputs, self)
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            requiresGrad = true
            gradFn = GradFn(name: name, inputs: inputs, saving: saved ?? inputs,
                            outputVersion: savesOutput ? storage.version : nil, backward: backward)
            if let stale = inputs.first(where: { $0.historyIsStale }) {
                gradFn?.staleInputError =
                    "an input of \(name) (shape \(describe(stale.shape))) shares its storage with a view that an "
                    + "in-place operation changed after the input was computed, so its autograd history is out of "
                    + "date (swiftnn does not rebase the histories of views); clone() the tensor before the "
                    + "in-place op, or use the out-of-place op"
            }
        }
        return self
    }

    /// Computes the gradient of this tensor with respect to every leaf that
    /// requires grad and accumulates it into their `grad`.
    ///
    /// - Parameter gradient: d(something)/d(self); may be omitted only for a
    ///   one-element tensor, where it is 1.
    public func backward(_ gradient: Tensor? = nil) throws {
        guard requiresGrad else {
            throw SwiftNNError.runtime("element 0 of tensors does not require grad and does not have a grad_fn")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw SwiftNNError.invalidArgument(
                    "gradient has shape \(describe(gradient.shape)) but the tensor has shape \(describe(shape))")
            }
            seed = gradient
        } else {
            guard count == 1 else {
                throw SwiftNNError.runtime("grad can be implicitly created only for scalar outputs")
            }
            seed = try Tensor.ones(shape)
        }

        var order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        // Gradient buckets this pass wrote into, in first-touch order (the same on every
        // rank); they finish (all-reduce what is left) when it ends.
        var buckets: [GradientBuckets] = []
        do {
            try runBackward(&order, &pending, &buckets)
            for b in buckets { try b.finishPass() }
        } catch {
            for b in buckets { b.resetPass() }
            throw error
        }
    }

    private func runBackward(_ order: inout [Tensor], _ pending: inout [ObjectIdentifier: Tensor],
                             _ buckets: inout [GradientBuckets]) throws {
        try withNoGrad {
            // Popping drops the order's reference, and a finished node lets go of its
            // inputs: an activation is freed once the last backward that needs it ran.
            while let node = order.popLast() {
                guard let gradOut = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                guard let fn = node.gradFn else {
                    try node.accumulateGrad(gradOut)
                    if let slot = node.gradSlot, let owner = slot.owner {
                        if !buckets.contains(where: { $0 === owner }) { buckets.append(owner) }
                        try owner.markReady(slot.index)
                    }
                    continue
                }
                guard let step = fn.backward else {
                    throw SwiftNNError.runtime(
                        "trying to backward through the graph a second time (\(fn.name)); "
                        + "the saved intermediate values were freed after the first backward")
                }
                if let message = fn.staleInputError { throw SwiftNNError.runtime(message) }
                try fn.checkSavedVersions(output: node)
                var inputGrads = try Profiler.measure(fn.name, .backward) { try step(gradOut, node) }
                fn.backward = nil
                fn.savedVersions = []
                let inputs = fn.inputs
                fn.inputs = []
                for (i, input) in zip(inputs.indices, inputs) where input.requiresGrad && i < inputGrads.count {
                    // Moved out of the array, so `g` is the only reference unless an op shared it.
                    guard var g = inputGrads[i] else { continue }
                    inputGrads[i] = nil
                    let key = ObjectIdentifier(input)
                    guard var earlier = pending.removeValue(forKey: key) else {
                        pending[key] = g
                        continue
                    }
                    // Sum in place into whichever gradient nothing else references (an op
                    // may hand one gradient, or views of it, to several inputs).
                    if Tensor.isExclusive(&earlier) {
                        earlier.addInPlace(g)
                        pending[key] = earlier
                    } else if Tensor.isExclusive(&g) {
                        g.addInPlace(earlier)
                        pending[key] = g
                    } else {
                        pending[key] = try earlier.adding(g)
                    }
                }
            }
        }
    }

    /// True when `t` and its storage have no other strong reference: writing into it is invisible.
    private static func isExclusive(_ t: inout Tensor) -> Bool {
        isKnownUniquelyReferenced(&t) && isKnownUniquelyReferenced(&t.storage)
    }

    /// self += other (same shape), split over the thread pool when large.
    private func addInPlace(_ other: Tensor) {
        Pointwise.axpy(1, other.data, data, count: count)
    }

    /// Leaves first; a tensor appears after everything it depends on.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS: deep networks would overflow the stack recursively.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.gradFn?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    /// Leaves own their `grad`: the first gradient is copied, because op backward
    /// functions may hand the same tensor to several inputs.
    private func accumulateGrad(_ g: Tensor) throws {
        if let existing = grad {
            Pointwise.axpy(1, g.data, existing.data, count: count)
        } else if let slot = gradSlot, let owner = slot.owner {
            let view = owner.slot(slot.index)
            try view.assign(g)
            grad = view
        } else {
            grad = try g.clonedData()
        }
    }
}

extension Tensor {
    /// The name of the op that produced this tensor ("AddBackward", ...); nil for leaves.
    public var gradFnName: String? { gradFn?.name }
}
