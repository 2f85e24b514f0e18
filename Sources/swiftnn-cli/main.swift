import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// swiftnn-cli: the engine from the command line, for Swift users and for the
/// test that checks the Swift and Python paths give identical numbers.
let usage = """
    usage: swiftnn-cli <command> [options]

    commands:
      train-synthetic   train a zoo model on seeded random data, printing one loss per step
          --model NAME      model name (default MLPnet)
          --config JSON     model keyword arguments, e.g. {"num_classes": 10}
          --steps N         SGD steps (default 5)
          --batch N         batch size (default 16)
          --seed N          manual seed (default 0)
          --lr X            learning rate (default 0.01)
          --momentum X      SGD momentum (default 0.9)
      checkpoint-save   save a seeded zoo model as safetensors, then print its logits of a seeded input
          --model NAME --out FILE --init-seed N --seed N --batch N (default 4)
      checkpoint-logits load a safetensors file into a zoo model, print its logits of a seeded input
          --model NAME --weights FILE --seed N --batch N (default 4)
    \(trainUsage)
    \(evalUsage)
      models            list the zoo models
      version           print the engine version, the CPU and the kernel path (also --version)
    """

func fail(_ message: String) -> Never {
    fputs("swiftnn-cli: \(message)\n", stderr)
    exit(2)
}

/// Parses `--key value` pairs, rejecting unknown keys.
func options(_ args: ArraySlice<String>, allowed: Set<String>) -> [String: String] {
    var result: [String: String] = [:]
    var rest = args
    while let key = rest.popFirst() {
        guard key.hasPrefix("--"), allowed.contains(String(key.dropFirst(2))) else { fail("unknown option \(key)\n\n\(usage)") }
        guard let value = rest.popFirst() else { fail("option \(key) needs a value") }
        result[String(key.dropFirst(2))] = value
    }
    return result
}

func number<T: LosslessStringConvertible>(_ opts: [String: String], _ key: String, _ fallback: T) -> T {
    guard let text = opts[key] else { return fallback }
    guard let value = T(text) else { fail("--\(key) expects a number, got '\(text)'") }
    return value
}

/// The seeded job both front ends run: seed, build the model, draw the data,
/// then SGD steps on the same batch. The draw order fixes every random number.
func trainSynthetic(_ opts: [String: String]) throws {
    let steps: Int = number(opts, "steps", 5)
    guard steps >= 0 else { fail("--steps must be non-negative, got \(steps)") }
    let batch: Int = number(opts, "batch", 16)
    let seed: UInt64 = number(opts, "seed", 0)
    let lr: Double = number(opts, "lr", 0.01)
    let momentum: Double = number(opts, "momentum", 0.9)
    manualSeed(seed)
    let model = try Zoo.make(opts["model"] ?? "MLPnet", config: opts["config"])
    let inputs = try Tensor.randn([batch, 3, 32, 32])
    let labels = try Tensor.randint(0, 10, [batch])
    let optimizer = try SGD(parameters: model.parameters(), lr: lr, momentum: momentum)
    let criterion = CrossEntropyLoss()
    for step in 0..<steps {
        optimizer.zeroGrad()
        let loss = try criterion(model(inputs), labels)
        try loss.backward()
        try optimizer.step()
        print("step \(step) loss \(try loss.item())")
    }
}

let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "train-synthetic":
        try trainSynthetic(options(arguments.dropFirst(), allowed: ["model", "config", "steps", "batch", "seed", "lr", "momentum"]))
    case "checkpoint-save":
        try checkpointSave(options(arguments.dropFirst(), allowed: ["model", "out", "init-seed", "seed", "batch"]))
    case "checkpoint-logits":
        try checkpointLogits(options(arguments.dropFirst(), allowed: ["model", "weights", "seed", "batch"]))
    case "train":
        try trainExperiment(options(arguments.dropFirst(), allowed: trainOptions))
    case "eval":
        try evaluateCheckpoint(options(arguments.dropFirst(), allowed: evalOptions))
    case "models":
        Zoo.names.forEach { print($0) }
    case "version", "--version":
        print(swiftNNVersion)
        print(KernelISA.summary)
    case "-h", "--help", "help", nil:
        print(usage)
    default:
        fail("unknown command '\(arguments.first!)'\n\n\(usage)")
    }
} catch {
    fail("\(error)")
}
