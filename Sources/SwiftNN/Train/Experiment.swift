#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The training hyperparameters of an experiment. The defaults are the
/// reference recipe: Adam (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay
/// 1e-4), gradient-norm clipping at 1.0, batches of 500.
public struct Recipe {
    public var optimizer = "Adam"
    public var lr = 1e-3
    public var betas = (0.9, 0.999)
    public var eps = 1e-8
    public var weightDecay = 1e-4
    public var momentum = 0.0
    public var maxGradNorm: Double? = 1.0
    public var trainBatchSize = 500
    public var testBatchSize = 500

    public init() {}

    public static let reference = Recipe()

    /// The case study's SGD runs: plain SGD, lr 1e-3, weight decay 1e-5, no clipping, batches of 256.
    public static var caseStudySGD: Recipe {
        var r = Recipe()
        (r.optimizer, r.weightDecay, r.maxGradNorm, r.trainBatchSize) = ("SGD", 1e-5, nil, 256)
        return r
    }

    public static func named(_ name: String) throws -> Recipe {
        switch name.lowercased() {
        case "reference", "template", "adam": return .reference
        case "case-study", "sgd": return .caseStudySGD
        default: throw SwiftNNError.invalidArgument("unknown recipe '\(name)'; available: reference, sgd")
        }
    }

    public func makeOptimizer(_ parameters: [Tensor]) throws -> Optimizer {
        switch optimizer.lowercased() {
        case "adam": return try Adam(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
        case "adamw": return try AdamW(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
        case "sgd": return try SGD(parameters: parameters, lr: lr, momentum: momentum, weightDecay: weightDecay)
        case "rmsprop":
            return try RMSprop(parameters: parameters, lr: lr, eps: eps, weightDecay: weightDecay, momentum: momentum)
        default: throw SwiftNNError.invalidArgument("In-valid optimizer choice '\(optimizer)'; use SGD, RMSprop, Adam or AdamW")
        }
    }
}

/// The three datasets of the case study and the transforms their loaders apply.
public struct Partition {
    public var train: Dataset
    public var val: Dataset
    public var test: Dataset
    public var trainTransform: Compose
    public var evalTransform: Compose

    public init(train: Dataset, val: Dataset, test: Dataset, trainTransform: Compose, evalTransform: Compose) {
        (self.train, self.val, self.test) = (train, val, test)
        (self.trainTransform, self.evalTransform) = (trainTransform, evalTransform)
    }

    /// ToTensor + Normalize(0.5, 0.5) per channel.
    public static func normalized(channels: Int = 3) -> Compose {
        Compose([.toTensor, .normalize(mean: Array(repeating: 0.5, count: channels), std: Array(repeating: 0.5, count: channels))])
    }

    /// RandomCrop(32, padding=4) + RandomHorizontalFlip before `normalized`.
    public static func augmented(size: Int = 32, channels: Int = 3) -> Compose {
        Compose([.randomCrop(size, padding: 4), .randomHorizontalFlip(p: 0.5)] + normalized(channels: channels).transforms)
    }

    /// The case study's split: the training set (its first `limit` images when given) split at random
    /// into train and val in the ratio 40k:10k, and the test set (its first `limit`). The split draws
    /// one seed from the default generator, as `random_split` does in Python.
    public static func split(trainSet: Dataset, testSet: Dataset, limit: Int? = nil, augment: Bool = false) throws -> Partition {
        let trainAll = try limited(trainSet, limit), test = try limited(testSet, limit)
        let valCount = trainAll.count / 5
        let parts = try randomSplit(trainAll, lengths: [trainAll.count - valCount, valCount])
        let channels = trainSet.sampleShape.first ?? 3
        let size = trainSet.sampleShape.last ?? 32
        return Partition(train: parts[0], val: parts[1], test: test,
                         trainTransform: augment ? augmented(size: size, channels: channels) : normalized(channels: channels),
                         evalTransform: normalized(channels: channels))
    }

    static func limited(_ d: Dataset, _ limit: Int?) throws -> Dataset {
        guard let limit, limit < d.count else { return d }
        guard limit > 0 else { throw SwiftNNError.invalidArgument("limit must be positive, got \(limit)") }
        return try Subset(d, indices: Array(0..<limit))
    }
}

/// Per-epoch histories and the final test figures, with the case study's meaning:
/// losses are mean batch losses, accuracies percentages.
public struct ExperimentResult {
    public var trainLosses: [Double] = []
    public var valLosses: [Double] = []
    public var trainAccs: [Double] = []
    public var valAccs: [Double] = []
    public var epochSeconds: [Double] = []
    /// Per-epoch test figures, filled only when testing after every epoch.
    public var testLosses: [Double] = []
    public var testAccs: [Double] = []
    public var testLoss = 0.0
    public var testAcc = 0.0
    public var confusion = ConfusionMatrix(classes: 0)
}

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The case study's `experiment`: for each epoch, train on a freshly shuffled
/// loader, then validate; finally test, with the confusion matrix. Each epoch's
/// training loader draws its seed from the default generator, exactly as the
/// Python `swiftnn.train.experiment` does; evaluation loaders take seed 0 and
/// draw nothing, so evaluating more often never changes the training run.
/// With `testEachEpoch` the test set is evaluated after every validation (its
/// loader made then) and the final test figures are the last epoch's.
public func runExperiment(model: Module, partition: Partition, recipe: Recipe = .reference, epochs: Int,
                          testEachEpoch: Bool = false,
                          onEpoch: ((Int, ExperimentResult) -> Void)? = nil,
                          onBatch: ((Int, BatchReport) throws -> Void)? = nil) throws -> ExperimentResult {
    guard epochs >= 0 else { throw SwiftNNError.invalidArgument("epochs must be non-negative, got \(epochs)") }
    let optimizer = try recipe.makeOptimizer(model.parameters())
    var result = ExperimentResult()
    for epoch in 0..<epochs {
        let start = monotonicSeconds()
        let trainLoader = try DataLoader(partition.train, batchSize: recipe.trainBatchSize, shuffle: true,
                                         transform: partition.trainTransform)
        let train = try trainEpoch(model, loader: trainLoader, optimizers: [optimizer], maxGradNorm: recipe.maxGradNorm,
                                   onBatch: onBatch.map { f in { try f(epoch, $0) } })
        let valLoader = try DataLoader(partition.val, batchSize: recipe.testBatchSize, transform: partition.evalTransform,
                                       seed: 0)
        let val = try evaluate(model, loader: valLoader).totals
        result.trainLosses.append(train.loss)
        result.trainAccs.append(train.accuracy)
        result.valLosses.append(val.loss)
        result.valAccs.append(val.accuracy)
        result.epochSeconds.append(monotonicSeconds() - start)
        if testEachEpoch {
            try test(model, partition, recipe, into: &result)
            result.testLosses.append(result.testLoss)
            result.testAccs.append(result.testAcc)
        }
        onEpoch?(epoch, result)
    }
    if !testEachEpoch || epochs == 0 { try test(model, partition, recipe, into: &result) }
    return result
}

private func test(_ model: Module, _ partition: Partition, _ recipe: Recipe, into result: inout ExperimentResult) throws {
    let loader = try DataLoader(partition.test, batchSize: recipe.testBatchSize, transform: partition.evalTransform, seed: 0)
    let test = try evaluate(model, loader: loader)
    (result.testLoss, result.testAcc, result.confusion) = (test.totals.loss, test.totals.accuracy, test.confusion)
}
