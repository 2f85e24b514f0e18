"""Kernel benchmarks for this machine, side by side in one run (`make bench`):

1. SGEMM GFLOP/s of swiftnn and of NumPy's matmul with 1 and 2 threads, best
   and median, for square sizes, the Linear layers of MLPnet and MLP_Mixer
   (forward x·Wᵀ, input gradient G·W, weight gradient Gᵀ·X) and the im2col
   GEMMs of normal_CNN at batch 128;
2. Conv2d forward and backward time per layer of normal_CNN and VGG11 (CIFAR) at
   batch 128 and of ResNet-50 (CIFAR) at batch 32.
3. pointwise, pooling and normalization ops in GB/s next to NumPy (pointwise.py).

Every measurement runs in its own process so the thread count can be fixed
before the library starts (SWIFTNN_NUM_THREADS for swiftnn, the BLAS
variables for NumPy). The two libraries alternate, round by round, so a burst
of load elsewhere on the machine does not land on one side only.
"""
import argparse
import os
import statistics
import subprocess
import sys

NUMPY_GEMM = r"""
import sys, time
import numpy as np
m, n, k, trans_a, trans_b = map(int, sys.argv[1:6])
rng = np.random.default_rng(1)
a = rng.random((k, m) if trans_a else (m, k), dtype=np.float32)
b = rng.random((n, k) if trans_b else (k, n), dtype=np.float32)
a, b = (a.T if trans_a else a), (b.T if trans_b else b)  # views: BLAS gets the transpose flags
a @ b
times, spent = [], 0.0
while spent < 1.0 or len(times) < 5:
    start = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - start)
    spent += times[-1]
times.sort()
print(2 * m * n * k / times[0] / 1e9, 2 * m * n * k / times[len(times) // 2] / 1e9)
"""

NUMPY_INFO = r"""
import numpy as np
blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
print(f"NumPy {np.__version__}, BLAS: {blas.get('name', '?')} {blas.get('version', '')}")
"""


def linear_shapes(name, rows, inputs, outputs):
    """The three products of a Linear layer [outputs, inputs] on `rows` rows (M, N, K, tA, tB)."""
    return [(f"{name} fwd x*W^T", (rows, outputs, inputs, 0, 1)),
            (f"{name} dX G*W", (rows, inputs, outputs, 0, 0)),
            (f"{name} dW G^T*X", (outputs, inputs, rows, 1, 0))]


# Batch 128: MLPnet's first layer; MLP_Mixer (C=128, 64 patches, hidden 512 / 64).
LINEAR_SHAPES = (linear_shapes("MLPnet fc1", 128, 3072, 128)
                 + linear_shapes("Mixer ch fc1", 8192, 128, 512) + linear_shapes("Mixer ch fc2", 8192, 512, 128)
                 + linear_shapes("Mixer tok fc", 16384, 64, 64))

# normal_CNN (reference kernel list, 3x32x32 input): (in, out, spatial size) of each 3x3 conv.
NORMAL_CNN_CONVS = [(3, 16, 32), (16, 16, 32), (16, 32, 16), (32, 32, 16), (32, 64, 8), (64, 64, 8),
                    (64, 128, 4), (128, 128, 4), (128, 256, 2), (256, 256, 2)]

# VGG11 with the CIFAR head (3x32x32 input): (in, out, spatial size) of each 3x3 conv, padding 1.
VGG11_CONVS = [(3, 64, 32), (64, 128, 16), (128, 256, 8), (256, 256, 8), (256, 512, 4), (512, 512, 4),
               (512, 512, 2), (512, 512, 2)]

# ResNet-50 for 32x32 inputs: (in, out, input size, kernel, stride) of each distinct conv (stem,
# bottleneck 1x1/3x3/1x1 and the strided shortcuts), in network order.
RESNET50_CONVS = [(3, 64, 32, 3, 1), (64, 64, 32, 1, 1), (64, 64, 32, 3, 1), (64, 256, 32, 1, 1), (256, 64, 32, 1, 1),
                  (256, 128, 32, 1, 1), (128, 128, 32, 3, 2), (256, 512, 32, 1, 2), (128, 512, 16, 1, 1),
                  (512, 128, 16, 1, 1), (128, 128, 16, 3, 1), (512, 256, 16, 1, 1), (256, 256, 16, 3, 2),
                  (512, 1024, 16, 1, 2), (256, 1024, 8, 1, 1), (1024, 256, 8, 1, 1), (256, 256, 8, 3, 1),
                  (1024, 512, 8, 1, 1), (512, 512, 8, 3, 2), (1024, 2048, 8, 1, 2), (512, 2048, 4, 1, 1),
                  (2048, 512, 4, 1, 1), (512, 512, 4, 3, 1)]

CONV_TABLES = {
    "normal_CNN": (128, [(cin, cout, size, 3, 1) for cin, cout, size in NORMAL_CNN_CONVS]),
    "VGG11": (128, [(cin, cout, size, 3, 1) for cin, cout, size in VGG11_CONVS]),
    "ResNet-50": (32, RESNET50_CONVS),
}


def thread_env(threads):
    env = dict(os.environ)
    for name in ("SWIFTNN_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    return env


def run(command, threads):
    done = subprocess.run(command, env=thread_env(threads), capture_output=True, text=True, check=True)
    return [float(v) for v in done.stdout.split()]


def gemm_table(bench, threads_list, shapes, rounds):
    print(f"{'SGEMM GFLOP/s  (best/median)':<34}{'M x N x K  tA tB':<24}"
          + "".join(f"{f'swiftnn {t}T':>14}{f'numpy {t}T':>14}{'ratio':>12}" for t in threads_list))
    for label, (m, n, k, *trans) in shapes:
        trans_a, trans_b = trans if trans else (0, 0)
        args = [str(v) for v in (m, n, k, trans_a, trans_b)]
        row = f"{label:<34}{f'{m}x{n}x{k}  {trans_a}  {trans_b}':<24}"
        for t in threads_list:
            ours, theirs = [], []
            for _ in range(rounds):
                ours.append(run([bench, "gemm", *args], t))
                theirs.append(run([sys.executable, "-c", NUMPY_GEMM, *args], t))
            # Best of the best runs; median of each process's median.
            (ob, om), (tb, tm) = [(max(r[0] for r in runs), statistics.median(r[1] for r in runs))
                                  for runs in (ours, theirs)]
            row += f"{ob:8.0f}/{om:<5.0f}{tb:8.0f}/{tm:<5.0f}{ob / tb:7.2f}/{om / tm:<4.2f}"
        print(row, flush=True)


def conv_table(bench, threads_list, model):
    batch, layers = CONV_TABLES[model]
    print(f"\n{model} Conv2d layers, batch {batch} (ms)" + "".join(f"{f'fwd {t}T':>10}{f'bwd {t}T':>10}" for t in threads_list))
    totals = {t: [0.0, 0.0] for t in threads_list}
    for cin, cout, size, kernel, stride in layers:
        label = f"{cin:>4} -> {cout:<4} {kernel}x{kernel}" + (f" s{stride}" if stride > 1 else "") + f" @ {size}x{size}"
        row = f"{label:<32}"
        for t in threads_list:
            command = [bench, "conv", str(batch), str(cin), str(size), str(size), str(cout), str(kernel),
                       str(kernel // 2), str(stride)]
            forward, backward = run(command, t)
            totals[t][0] += forward
            totals[t][1] += backward
            row += f"{forward:10.2f}{backward:10.2f}"
        print(row, flush=True)
    print(f"{'total':<32}" + "".join(f"{totals[t][0]:10.2f}{totals[t][1]:10.2f}" for t in threads_list))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="path of the swiftnn-bench executable")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--quick", action="store_true", help="fewer shapes")
    parser.add_argument("--rounds", type=int, default=2, help="alternating GEMM measurements per library (default 2)")
    parser.add_argument("--only", choices=["gemm", "conv", "pointwise"], help="run one table")
    parser.add_argument("--conv-models", default=",".join(CONV_TABLES),
                        help=f"per-layer conv tables to print (default {','.join(CONV_TABLES)}; empty for none)")
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    sizes = [256, 1024] if args.quick else [256, 512, 1024, 2048]
    shapes = [(f"square {s}", (s, s, s)) for s in sizes]
    shapes += LINEAR_SHAPES
    convs = NORMAL_CNN_CONVS[::3] if args.quick else NORMAL_CNN_CONVS
    # The forward GEMM of each layer with the batch folded in: [out, in*9] x [in*9, 128*H*W].
    shapes += [(f"im2col {cin}->{cout} @{s}", (cout, 128 * s * s, cin * 9)) for cin, cout, s in convs]
    print(subprocess.run([args.bench, "info"], capture_output=True, text=True, check=True).stdout.strip())
    print(subprocess.run([sys.executable, "-c", NUMPY_INFO], capture_output=True, text=True).stdout.strip())
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    if args.only in (None, "gemm"):
        gemm_table(args.bench, threads_list, shapes, args.rounds)
    if args.only in (None, "conv"):
        for model in filter(None, args.conv_models.split(",")):
            conv_table(args.bench, threads_list, model)
    if args.only in (None, "pointwise"):
        from pointwise import pointwise_table
        pointwise_table(args.bench, threads_list, args.rounds)


if __name__ == "__main__":
    main()
