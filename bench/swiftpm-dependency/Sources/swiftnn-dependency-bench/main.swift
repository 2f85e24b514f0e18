import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// GEMM 1024³ GFLOP/s (best and median of ≥ REPEATS runs over ≥ 1 s) and normal_CNN
/// training images/s (batch 128, REPEATS steps), from a plain dependency build of swiftnn.
///
///     swiftnn-dependency-bench [REPEATS]

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func bestAndMedian(_ values: [Double]) -> (Double, Double) {
    let sorted = values.sorted()
    return (sorted.last!, sorted[sorted.count / 2])
}

let repeats = CommandLine.arguments.count > 1 ? max(1, Int(CommandLine.arguments[1]) ?? 9) : 9
print("\(KernelISA.summary); threads: \(ThreadPool.shared.threadCount)")

let n = 1024
let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
var rng = RandomGenerator(seed: 1)
rng.fillUniform(a, count: n * n)
rng.fillUniform(b, count: n * n)
// As swiftnn-bench measures: runs for at least a second after a warm-up run.
var rates: [Double] = []
var spent = 0.0
for run in 0... {
    let start = seconds()
    GEMM.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
               beta: 0, c: c, ldc: n)
    let t = seconds() - start
    if run > 0 { rates.append(2 * Double(n * n * n) / t / 1e9); spent += t }
    if spent >= 1 && rates.count >= repeats { break }
}
let gemm = bestAndMedian(rates)
print("gemm 1024^3 GFLOP/s: best \(Int(gemm.0)) median \(Int(gemm.1))")

manualSeed(0)
let batch = 128
let model = try Zoo.make("normal_CNN")
let x = try Tensor.randn([batch, 3, 32, 32])
let labels = try Tensor.randint(0, 10, [batch])
let optimizer = try SGD(parameters: model.parameters(), lr: 0.01, momentum: 0.9, weightDecay: 5e-4)
let criterion = CrossEntropyLoss()
rates = []
for run in 0...repeats {
    let start = seconds()
    optimizer.zeroGrad()
    try criterion(model(x), labels).backward()
    try optimizer.step()
    if run > 0 { rates.append(Double(batch) / (seconds() - start)) }
}
let train = bestAndMedian(rates)
let mean = Double(rates.count) / rates.reduce(0) { $0 + 1 / $1 }
print("normal_CNN training images/s: mean \(Int(mean)) best step \(Int(train.0)) median step \(Int(train.1))")
