"""Kernel benchmarks for this machine, side by side in one run (`make bench`):

1. SGEMM GFLOP/s of swiftnn and of NumPy's matmul with 1 and 2 threads, for
   square sizes and for the im2col GEMMs of normal_CNN at batch 128;
2. Conv2d forward and backward time per layer of normal_CNN and VGG11 (CIFAR) at
   batch 128 and of ResNet-50 (CIFAR) at batch 32.

Every measurement runs in its own process so the thread count can be fixed
before the library starts (SWIFTNN_NUM_THREADS for swiftnn, the BLAS
variables for NumPy).
"""
import argparse
import os
import subprocess
import sys

NUMPY_GEMM = r"""
import sys, time
import numpy as np
m, n, k = map(int, sys.argv[1:4])
rng = np.random.default_rng(1)
a = rng.random((m, k), dtype=np.float32)
b = rng.random((k, n), dtype=np.float32)
a @ b
best, spent, runs = float("inf"), 0.0, 0
while spent < 1.0 or runs < 3:
    start = time.perf_counter()
    a @ b
    t = time.perf_counter() - start
    best, spent, runs = min(best, t), spent + t, runs + 1
print(2 * m * n * k / best / 1e9)
"""

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
    print(f"{'SGEMM  M x N x K':<28}" + "".join(f"{f'swiftnn {t}T':>12}{f'numpy {t}T':>11}{'ratio':>7}"
                                                  for t in threads_list))
    for label, (m, n, k) in shapes:
        row = f"{label:<28}"
        for t in threads_list:
            # Alternate the two libraries and keep each one's best round, so a
            # burst of load elsewhere on the machine cannot land on one side only.
            ours, theirs = 0.0, 0.0
            for _ in range(rounds):
                ours = max(ours, run([bench, "gemm", str(m), str(n), str(k)], t)[0])
                theirs = max(theirs, run([sys.executable, "-c", NUMPY_GEMM, str(m), str(n), str(k)], t)[0])
            row += f"{ours:12.1f}{theirs:11.1f}{ours / theirs:7.2f}"
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
    parser.add_argument("--conv-models", default=",".join(CONV_TABLES),
                        help=f"per-layer conv tables to print (default {','.join(CONV_TABLES)}; empty for none)")
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    sizes = [256, 1024] if args.quick else [256, 512, 1024, 2048]
    shapes = [(f"square {s}", (s, s, s)) for s in sizes]
    convs = NORMAL_CNN_CONVS[::3] if args.quick else NORMAL_CNN_CONVS
    # The forward GEMM of each layer with the batch folded in: [out, in*9] x [in*9, 128*H*W].
    shapes += [(f"im2col {cin}->{cout} @{s}", (cout, 128 * s * s, cin * 9)) for cin, cout, s in convs]
    gemm_table(args.bench, threads_list, shapes, args.rounds)
    for model in filter(None, args.conv_models.split(",")):
        conv_table(args.bench, threads_list, model)


if __name__ == "__main__":
    main()
