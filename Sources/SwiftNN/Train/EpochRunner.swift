/// What the epoch runners report after each batch.
public struct BatchReport {
    /// 0-based index of the batch in its epoch, and the number of batches in the epoch.
    public let batch: Int
    public let batches: Int
    /// Samples in this batch, the batch's mean loss, and how many it classified correctly.
    public let size: Int
    public let loss: Float
    public let correct: Int
}

/// The totals of one pass: the mean of the batch losses (as the reference
/// `train`/`validate` compute it) and the correct count over all samples.
public struct EpochTotals {
    public internal(set) var lossSum: Double = 0
    public internal(set) var batches = 0
    public internal(set) var correct = 0
    public internal(set) var total = 0

    public init() {}

    /// Mean batch loss (0 for an empty pass).
    public var loss: Double { batches == 0 ? 0 : lossSum / Double(batches) }
    /// Percentage of samples classified correctly (`100 * correct / total`).
    public var accuracy: Double { total == 0 ? 0 : 100 * Double(correct) / Double(total) }

    mutating func add(_ report: BatchReport) {
        lossSum += Double(report.loss)
        batches += 1
        correct += report.correct
        total += report.size
    }
}

/// The class with the largest logit for each row of [N, C] logits (the first on ties).
func predictedClasses(_ logits: Tensor) throws -> [Int] {
    guard logits.rank == 2, logits.shape[1] > 0 else {
        throw SwiftNNError.invalidArgument("a classifier must output [batch, classes] logits, got \(describe(logits.shape))")
    }
    let n = logits.shape[0], c = logits.shape[1], p = logits.data
    return (0..<n).map { row in
        let base = p + row &* c
        var best = 0
        for j in 1..<c where base[j] > base[best] { best = j }
        return best
    }
}

/// One loop body shared by training and evaluation: forward, loss, predictions, report.
private func runBatches(_ next: () throws -> Batch?, batches: Int, _ step: (Batch) throws -> (Tensor, Tensor),
                        onBatch: ((BatchReport) throws -> Void)?, observe: ([Int], [Int]) throws -> Void = { _, _ in })
    throws -> EpochTotals {
    var totals = EpochTotals()
    var index = 0
    while let batch = try next() {
        let (logits, loss) = try step(batch)
        let predicted = try predictedClasses(logits)
        try observe(batch.labels, predicted)
        let correct = zip(predicted, batch.labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        let report = BatchReport(batch: index, batches: batches, size: batch.labels.count, loss: try loss.item(),
                                 correct: correct)
        totals.add(report)
        try onBatch?(report)
        index += 1
    }
    return totals
}

/// Trains `model` on every remaining batch of an epoch: for each batch, zero the
/// gradients, forward, cross-entropy loss, backward, optionally clip the
/// gradient norm of all model parameters to `maxGradNorm`, and step every
/// optimizer. `onBatch` sees each batch's loss and correct count; an error it
/// throws stops the epoch after that batch's update.
public func trainEpoch(_ model: Module, next: () throws -> Batch?, batches: Int, optimizers: [Optimizer],
                       criterion: CrossEntropyLoss = CrossEntropyLoss(), maxGradNorm: Double? = nil,
                       onBatch: ((BatchReport) throws -> Void)? = nil) throws -> EpochTotals {
    model.train(true)
    let parameters = model.parameters()
    return try runBatches(next, batches: batches, { batch in
        optimizers.forEach { $0.zeroGrad() }
        let logits = try model(batch.images)
        let loss = try criterion(logits, batch.labels)
        try loss.backward()
        if let maxGradNorm { _ = try clipGradNorm(parameters, maxNorm: maxGradNorm) }
        for optimizer in optimizers { try optimizer.step() }
        return (logits, loss)
    }, onBatch: onBatch)
}

/// Starts the loader's next epoch and trains on all of it.
public func trainEpoch(_ model: Module, loader: DataLoader, optimizers: [Optimizer],
                       criterion: CrossEntropyLoss = CrossEntropyLoss(), maxGradNorm: Double? = nil,
                       onBatch: ((BatchReport) throws -> Void)? = nil) throws -> EpochTotals {
    let epoch = try loader.epoch()
    return try trainEpoch(model, next: epoch.next, batches: epoch.count, optimizers: optimizers, criterion: criterion,
                          maxGradNorm: maxGradNorm, onBatch: onBatch)
}

/// The result of evaluating a classifier: loss and accuracy totals plus the confusion matrix.
public struct Evaluation {
    public let totals: EpochTotals
    public let confusion: ConfusionMatrix
}

/// Runs `model` in eval mode without recording gradients over every remaining
/// batch of an epoch, counting a `numClasses` x `numClasses` confusion matrix
/// (`numClasses` 0: the width of the model's output).
public func evaluate(_ model: Module, next: () throws -> Batch?, batches: Int, numClasses: Int = 0,
                     criterion: CrossEntropyLoss = CrossEntropyLoss(),
                     onBatch: ((BatchReport) throws -> Void)? = nil) throws -> Evaluation {
    guard numClasses >= 0 else { throw SwiftNNError.invalidArgument("num_classes must be non-negative, got \(numClasses)") }
    model.train(false)
    var confusion: ConfusionMatrix? = numClasses > 0 ? ConfusionMatrix(classes: numClasses) : nil
    let totals = try withNoGrad {
        try runBatches(next, batches: batches, { batch in
            let logits = try model(batch.images)
            if confusion == nil, logits.rank == 2 { confusion = ConfusionMatrix(classes: logits.shape[1]) }
            return (logits, try criterion(logits, batch.labels))
        }, onBatch: onBatch, observe: { labels, predicted in try confusion!.add(labels: labels, predicted: predicted) })
    }
    return Evaluation(totals: totals, confusion: confusion ?? ConfusionMatrix(classes: max(numClasses, 0)))
}

/// Starts the loader's next epoch and evaluates on all of it.
public func evaluate(_ model: Module, loader: DataLoader, numClasses: Int = 0,
                     criterion: CrossEntropyLoss = CrossEntropyLoss(),
                     onBatch: ((BatchReport) throws -> Void)? = nil) throws -> Evaluation {
    let epoch = try loader.epoch()
    return try evaluate(model, next: epoch.next, batches: epoch.count, numClasses: numClasses, criterion: criterion,
                        onBatch: onBatch)
}
