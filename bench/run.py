"""Kernel benchmarks for this machine, side by side in one run (`make bench`):

1. SGEMM GFLOP/s of swiftnn and of NumPy's matmul with 1 and 2 threads, for
   square sizes and for the im2col GEMMs of normal_CNN at batch 128;
2. Conv2d forward and backward time per layer of normal_CNN at batch 128;
3. pointwise, pooling and normalization ops in GB/s next to NumPy (pointwise.py).

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


def conv_table(bench, threads_list, batch):
    print(f"\nConv2d 3x3 pad 1, batch {batch} (ms)" + "".join(f"{f'fwd {t}T':>10}{f'bwd {t}T':>10}" for t in threads_list))
    totals = {t: [0.0, 0.0] for t in threads_list}
    for cin, cout, size in NORMAL_CNN_CONVS:
        row = f"{f'{cin:>3} -> {cout:<3} @ {size}x{size}':<32}"
        for t in threads_list:
            forward, backward = run([bench, "conv", str(batch), str(cin), str(size), str(size), str(cout), "3", "1"], t)
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
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    sizes = [256, 1024] if args.quick else [256, 512, 1024, 2048]
    shapes = [(f"square {s}", (s, s, s)) for s in sizes]
    convs = NORMAL_CNN_CONVS[::3] if args.quick else NORMAL_CNN_CONVS
    # The forward GEMM of each layer with the batch folded in: [out, in*9] x [in*9, 128*H*W].
    shapes += [(f"im2col {cin}->{cout} @{s}", (cout, 128 * s * s, cin * 9)) for cin, cout, s in convs]
    if args.only in (None, "gemm"):
        gemm_table(args.bench, threads_list, shapes, args.rounds)
    if args.only in (None, "conv"):
        conv_table(args.bench, threads_list, batch=128)
    if args.only in (None, "pointwise"):
        from pointwise import pointwise_table
        pointwise_table(args.bench, threads_list, args.rounds)


if __name__ == "__main__":
    main()
