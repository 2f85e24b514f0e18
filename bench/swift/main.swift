import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// swiftnn-bench: kernel timings for bench/run.py, one measurement per call so
/// the driver can set SWIFTNN_NUM_THREADS per process.
///
///     swiftnn-bench gemm M N K [tA tB]   -> GFLOP/s of C = op(A)·op(B)
///     swiftnn-bench conv N C H W O K P    -> ms forward, ms backward of a KxK conv (padding P)

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best-of timing: repeats `body` until `budget` seconds have passed (at least 3 runs).
func bestTime(budget: Double = 1.0, _ body: () -> Void) -> Double {
    body()  // warm caches and the thread pool
    var best = Double.infinity, spent = 0.0, runs = 0
    while spent < budget || runs < 3 {
        let start = seconds()
        body()
        let t = seconds() - start
        best = min(best, t)
        spent += t
        runs += 1
    }
    return best
}

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
    let t = bestTime {
        GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                   a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: 0, c: c, ldc: n)
    }
    print(2 * Double(m) * Double(n) * Double(k) / t / 1e9)
}

func benchConv(_ args: [String]) throws {
    let v = args.compactMap { Int($0) }
    guard v.count == 7 else {
        fputs("usage: swiftnn-bench conv N C H W O K P\n", stderr)
        exit(2)
    }
    let x = try Tensor.randn([v[0], v[1], v[2], v[3]], requiresGrad: true)
    let conv = try Conv2d(v[1], v[4], kernelSize: Pair(v[5]), padding: .explicit(v[6], v[6]))
    var y = try conv(x)
    let gy = try Tensor.randn(y.shape)
    let forward = bestTime { y = try! conv(x) }
    let backward = bestTime {
        let out = try! conv(x)
        try! out.backward(gy)
    } - forward
    print(forward * 1e3, backward * 1e3)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "gemm": benchGEMM(Array(arguments.dropFirst()))
case "conv": try benchConv(Array(arguments.dropFirst()))
case "threads": print(ThreadPool.shared.threadCount)
default:
    fputs("usage: swiftnn-bench gemm M N K [tA tB] | conv N C H W O K P | threads\n", stderr)
    exit(2)
}
