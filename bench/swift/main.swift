import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// swiftnn-bench: kernel timings for bench/run.py, one measurement per call so
/// the driver can set SWIFTNN_NUM_THREADS per process.
///
///     swiftnn-bench gemm M N K [tA tB]   -> GFLOP/s of C = op(A)·op(B): best, median
///     swiftnn-bench info                  -> the CPU and the kernel path in use
///     swiftnn-bench conv N C H W O K P [S] -> ms forward, ms backward of a KxK conv (padding P, stride S)
///     swiftnn-bench conv-cpu N C H W O K P [S] -> the same in process CPU ms (best of 5): steadier than
///                                         wall time when other work shares the cores (use 1 thread,
///                                         where the pool's spin-waits add nothing)
///     swiftnn-bench pointwise OP [NxCxHxW]   -> best and median GB/s of a pointwise op (Pointwise.swift)
///     swiftnn-bench train MODEL BATCH STEPS [CONFIG_JSON] [SIZE]
///                                         -> train images/s, eval images/s (SGD momentum 0.9, wd 5e-4)

/// SWIFTNN_BENCH_CLOCK=cpu times with the process's CPU time instead of the wall clock:
/// single-thread A/B comparisons on a busy machine then miss the time slices other
/// jobs take (the cache they evict still counts).
let benchClock = getenv("SWIFTNN_BENCH_CLOCK").map { String(cString: $0) } == "cpu"
    ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(benchClock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Repeats `body` until `budget` seconds have passed (at least 5 runs) and returns
/// the best and the median time of one run.
func timeRuns(budget: Double = 1.0, _ body: () -> Void) -> (best: Double, median: Double) {
    body()  // warm caches and the thread pool
    var times: [Double] = [], spent = 0.0
    while spent < budget || times.count < 5 {
        let start = seconds()
        body()
        let t = seconds() - start
        times.append(t)
        spent += t
    }
    times.sort()
    return (times[0], times[times.count / 2])
}

/// Best-of timing: repeats `body` until `budget` seconds have passed.
func bestTime(budget: Double = 1.0, _ body: () -> Void) -> Double { timeRuns(budget: budget, body).best }

func benchGEMM(_ args: [String]) {
    guard args.count >= 3, let m = Int(args[0]), let n = Int(args[1]), let k = Int(args[2]) else {
        fputs("usage: swiftnn-bench gemm M N K [tA tB]\n", stderr)
        exit(2)
    }
    let transA = args.count > 3 && args[3] == "1", transB = args.count > 4 && args[4] == "1"
    let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
    var rng = RandomGenerator(seed: 1)
    rng.fillUniform(a, count: m * k)
    rng.fillUniform(b, count: k * n)
    let t = timeRuns {
        GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                   a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: 0, c: c, ldc: n)
    }
    let flop = 2 * Double(m) * Double(n) * Double(k)
    print(flop / t.best / 1e9, flop / t.median / 1e9)
}

func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best of `runs` process-CPU times of `body` (after one warm-up run).
func bestCPUTime(runs: Int = 5, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<runs {
        let start = processCPUSeconds()
        body()
        best = min(best, processCPUSeconds() - start)
    }
    return best
}

func benchConv(_ args: [String], cpuTime: Bool = false) throws {
    let v = args.compactMap { Int($0) }
    guard v.count == 7 || v.count == 8 else {
        fputs("usage: swiftnn-bench conv N C H W O K P [S]\n", stderr)
        exit(2)
    }
    let x = try Tensor.randn([v[0], v[1], v[2], v[3]], requiresGrad: true)
    let conv = try Conv2d(v[1], v[4], kernelSize: Pair(v[5]), stride: Pair(v.count == 8 ? v[7] : 1),
                          padding: .explicit(v[6], v[6]))
    var y = try conv(x)
    let gy = try Tensor.randn(y.shape)
    func time(_ body: () -> Void) -> Double { cpuTime ? bestCPUTime(body) : bestTime(body) }
    let forward = time { y = try! conv(x) }
    let backward = time {
        let out = try! conv(x)
        try! out.backward(gy)
    } - forward
    print(forward * 1e3, backward * 1e3)
}

func benchTrain(_ args: [String]) throws {
    guard args.count >= 3, let batch = Int(args[1]), let steps = Int(args[2]) else {
        fputs("usage: swiftnn-bench train MODEL BATCH STEPS [CONFIG_JSON] [SIZE]\n", stderr)
        exit(2)
    }
    let size = args.count > 4 ? Int(args[4]) ?? 32 : 32
    manualSeed(0)
    let model = try Zoo.make(args[0], config: args.count > 3 ? args[3] : nil)
    let x = try Tensor.randn([batch, 3, size, size])
    let labels = try Tensor.randint(0, 10, [batch])
    let optimizer = try SGD(parameters: model.parameters(), lr: 0.01, momentum: 0.9, weightDecay: 5e-4)
    let criterion = CrossEntropyLoss()
    func step() throws {
        optimizer.zeroGrad()
        let loss = try criterion(model(x), labels)
        try loss.backward()
        try Profiler.measure("SGD.step", .backward) { try optimizer.step() }
    }
    try step()  // warm-up: allocations, thread pool
    Profiler.reset()
    var start = seconds()
    for _ in 0..<steps { try step() }
    let train = Double(batch * steps) / (seconds() - start)
    let profile = Profiler.report()
    model.eval()
    try withNoGrad { _ = try model(x) }
    start = seconds()
    try withNoGrad { for _ in 0..<steps { _ = try model(x) } }
    let eval = Double(batch * steps) / (seconds() - start)
    print(train, eval)
    if Profiler.isEnabled { fputs(profile + "\n", stderr) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "gemm": benchGEMM(Array(arguments.dropFirst()))
case "conv": try benchConv(Array(arguments.dropFirst()))
case "conv-cpu": try benchConv(Array(arguments.dropFirst()), cpuTime: true)
case "train": try benchTrain(Array(arguments.dropFirst()))
case "threads": print(ThreadPool.shared.threadCount)
case "info": print(KernelISA.summary)
case "pointwise": try PointwiseBench.run(Array(arguments.dropFirst()))
default:
    fputs("usage: swiftnn-bench gemm M N K [tA tB] | info | conv[-cpu] N C H W O K P [S] | pointwise OP [SHAPE] | train MODEL BATCH STEPS [CONFIG] [SIZE] | threads\n", stderr)
    exit(2)
}
