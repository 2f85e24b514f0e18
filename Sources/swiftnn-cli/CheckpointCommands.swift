import SwiftNN

// checkpoint-save / checkpoint-logits: the Swift side of the test that a
// checkpoint written by Python gives the same logits in Swift, and the reverse.

/// Prints the eval-mode logits of a seeded [batch, 3, 32, 32] input, one row per
/// line; each value is printed as the shortest text that reads back to the same float.
func printSeededLogits(_ model: Module, _ opts: [String: String]) throws {
    let batch: Int = number(opts, "batch", 4)
    manualSeed(number(opts, "seed", UInt64(0)))
    let input = try Tensor.randn([batch, 3, 32, 32])
    model.eval()
    let logits = try withNoGrad { try model(input) }
    let width = logits.rank == 2 ? logits.shape[1] : logits.count
    let values = logits.scalars
    for row in 0..<(values.count / max(width, 1)) {
        print("logits \(row): " + values[row * width..<(row + 1) * width].map { "\($0)" }.joined(separator: " "))
    }
}

/// A zoo model initialised from `--init-seed`, saved to `--out`; prints its logits.
func checkpointSave(_ opts: [String: String]) throws {
    guard let out = opts["out"] else { fail("checkpoint-save needs --out FILE") }
    manualSeed(number(opts, "init-seed", UInt64(0)))
    let model = try Zoo.make(opts["model"] ?? "MLPnet")
    try model.saveCheckpoint(to: out, metadata: [("format", "pt"), ("model", opts["model"] ?? "MLPnet")])
    try printSeededLogits(model, opts)
}

/// A zoo model loaded (strictly) from `--weights`; prints its logits.
func checkpointLogits(_ opts: [String: String]) throws {
    guard let weights = opts["weights"] else { fail("checkpoint-logits needs --weights FILE") }
    let model = try Zoo.make(opts["model"] ?? "MLPnet")
    try model.loadCheckpoint(from: weights)
    try printSeededLogits(model, opts)
}
