import SwiftNN

/// `swiftnn-cli eval`: a checkpoint's accuracy on the CIFAR-10 test set.
let evalUsage = """
      eval              evaluate a safetensors checkpoint on the CIFAR-10 test set
          --model NAME      zoo model (default normal_CNN)
          --config JSON     model keyword arguments
          --weights FILE    safetensors checkpoint (swiftnn.save or the safetensors package)
          --data DIR        folder holding cifar-10-batches-bin (default $SWIFTNN_DATA, else ./data)
          --batch-size N    evaluation batch size (default 500)
          --limit N         only the first N test images
    """

let evalOptions: Set<String> = ["model", "config", "weights", "data", "batch-size", "limit"]

func evaluateCheckpoint(_ opts: [String: String]) throws {
    guard let weights = opts["weights"] else { fail("eval needs --weights FILE") }
    let modelName = opts["model"] ?? "normal_CNN"
    let model = try Zoo.make(modelName, config: opts["config"])
    try model.loadCheckpoint(from: weights)
    var testSet: Dataset = try CIFAR10.load(root: dataRoot(opts), train: false)
    if let limit = opts["limit"].map({ _ in number(opts, "limit", 0) }), limit < testSet.count {
        guard limit > 0 else { fail("--limit must be positive") }
        testSet = try Subset(testSet, indices: Array(0..<limit))
    }
    let channels = testSet.sampleShape.first ?? 3
    let loader = try DataLoader(testSet, batchSize: number(opts, "batch-size", 500),
                                transform: Partition.normalized(channels: channels))
    let result = try evaluate(model, loader: loader)
    print("model \(modelName) weights \(weights): test_loss \(result.totals.loss) test_acc \(fixed(result.totals.accuracy)) "
          + "(\(result.totals.correct)/\(result.totals.total))")
    for (c, acc) in result.confusion.perClassAccuracy.enumerated() {
        let name = result.confusion.classes == CIFAR10.classes.count ? CIFAR10.classes[c] : "class \(c)"
        print("Accuracy of \(name) : \(acc.map { fixed($0, 1) } ?? "n/a") %")
    }
}
