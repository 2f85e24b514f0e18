import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// `swiftnn-cli train`: the case-study experiment on CIFAR-10 (binary layout in --data).
/// It draws its random numbers in the order of the Python path (`swiftnn.train`):
/// seed, split train/val, seed again, build the model, then the loaders of each epoch.
let trainUsage = """
      train             the CIFAR-10 case-study experiment (train / val / test), as swiftnn.train.experiment
          --model NAME      zoo model (default normal_CNN)
          --config JSON     model keyword arguments
          --data DIR        folder holding cifar-10-batches-bin (default $SWIFTNN_DATA, else ./data)
          --epochs N        epochs (default 1)
          --recipe NAME     reference (Adam 1e-3, wd 1e-4, clip 1.0, batch 500; default) or sgd
          --batch-size N    training batch size (default: the recipe's)
          --lr X            learning rate (default: the recipe's)
          --seed N          manual seed (default 0)
          --limit N         use only the first N training and N test images
          --augment 0|1     RandomCrop(32, padding=4) + RandomHorizontalFlip on the training set
          --test-every-epoch 0|1  evaluate the test set after every epoch
          --log-batches 0|1 print every batch's loss
    """

let trainOptions: Set<String> = ["model", "config", "data", "epochs", "recipe", "batch-size", "lr", "seed", "limit",
                                 "augment", "test-every-epoch", "log-batches"]

func flag(_ opts: [String: String], _ key: String) -> Bool {
    guard let text = opts[key] else { return false }
    switch text.lowercased() {
    case "1", "true", "yes": return true
    case "0", "false", "no": return false
    default: fail("--\(key) expects 0 or 1, got '\(text)'")
    }
}

/// Fixed-point text for the tables (no Foundation).
func fixed(_ x: Double, _ digits: Int = 2) -> String {
    // Int(...) traps beyond ±2^63: print such values (inf, nan, 1e30) as Swift does.
    guard x.isFinite, abs(x) < 1e15 else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((abs(x) * scale).rounded())
    let frac = String(n % Int(scale))
    return (x < 0 && n != 0 ? "-" : "") + "\(n / Int(scale))." + String(repeating: "0", count: digits - frac.count) + frac
}

func dataRoot(_ opts: [String: String]) -> String {
    if let dir = opts["data"] { return dir }
    if let env = getenv("SWIFTNN_DATA") { return String(cString: env) }
    return "data"
}

func trainExperiment(_ opts: [String: String]) throws {
    var recipe = try Recipe.named(opts["recipe"] ?? "reference")
    recipe.trainBatchSize = number(opts, "batch-size", recipe.trainBatchSize)
    recipe.lr = number(opts, "lr", recipe.lr)
    let epochs: Int = number(opts, "epochs", 1)
    let seed: UInt64 = number(opts, "seed", 0)
    let limit: Int? = opts["limit"].map { _ in number(opts, "limit", 0) }
    let root = dataRoot(opts)

    manualSeed(seed)
    let partition = try Partition.split(trainSet: CIFAR10.load(root: root, train: true),
                                        testSet: CIFAR10.load(root: root, train: false),
                                        limit: limit, augment: flag(opts, "augment"))
    manualSeed(seed)
    let modelName = opts["model"] ?? "normal_CNN"
    let model = try Zoo.make(modelName, config: opts["config"])
    print("model \(modelName), \(model.parameters().reduce(0) { $0 + $1.count }) parameters; train \(partition.train.count), "
          + "val \(partition.val.count), test \(partition.test.count); optimizer \(recipe.optimizer) lr \(recipe.lr), "
          + "batch \(recipe.trainBatchSize)")
    let logBatches = flag(opts, "log-batches")
    let result = try runExperiment(
        model: model, partition: partition, recipe: recipe, epochs: epochs, testEachEpoch: flag(opts, "test-every-epoch"),
        onEpoch: { e, r in
            var line = "epoch \(e) train_loss \(r.trainLosses[e]) train_acc \(r.trainAccs[e]) "
                + "val_loss \(r.valLosses[e]) val_acc \(r.valAccs[e])"
            if e < r.testAccs.count { line += " test_loss \(r.testLosses[e]) test_acc \(r.testAccs[e])" }
            print(line + " seconds \(fixed(r.epochSeconds[e], 1))")
        },
        onBatch: { e, b in if logBatches { print("batch \(e) \(b.batch) loss \(b.loss) correct \(b.correct)") } })
    print("test_loss \(result.testLoss) test_acc \(result.testAcc)")
    for (c, acc) in result.confusion.perClassAccuracy.enumerated() {
        let name = result.confusion.classes == CIFAR10.classes.count ? CIFAR10.classes[c] : "class \(c)"
        print("Accuracy of \(name) : \(acc.map { fixed($0, 1) } ?? "n/a") %")
    }
}
