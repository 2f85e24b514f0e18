"""Pointwise, pooling and normalization ops: swiftnn next to NumPy, GB/s.

Each op runs on a [128, 64, 32, 32] float32 tensor (33.5 MB; layer norm over rows
of 128, log-softmax over rows of 16) through swiftnn's Tensor API (`swiftnn-bench
pointwise OP`) and as the nearest NumPy expression, both counting every input
read once and every output written once. Backward ops include copying the input
gradient into the leaf's .grad, so the NumPy line does that copy too. NumPy's
ufuncs run on one thread whatever the thread count; "-" where NumPy has no
equivalent (erf, max-pool indices). Each figure is the best of the alternating
rounds, each round best-of-15 in a fresh process, with the median next to it.
"""
import argparse
import subprocess
import sys

from run import run

NUMPY_POINTWISE = r"""
import sys, time
import numpy as np
op = sys.argv[1]
rng = np.random.default_rng(0)
shape = (128, 64, 32, 32)
x = rng.standard_normal(shape, dtype=np.float32)
other = rng.standard_normal(shape, dtype=np.float32)
out = np.empty_like(x)
grad = np.empty_like(x)
c = np.float32
w, b = rng.standard_normal(64, dtype=np.float32), rng.standard_normal(64, dtype=np.float32)
rows = x.reshape(-1, 128)
lw, lb = rng.standard_normal(128, dtype=np.float32), rng.standard_normal(128, dtype=np.float32)
small = x.reshape(-1, 16)

def bn_relu():
    mean = x.mean(axis=(0, 2, 3), dtype=np.float64)
    var = x.var(axis=(0, 2, 3), dtype=np.float64)
    scale = (w / np.sqrt(var + 1e-5)).astype(np.float32)
    shift = (b - mean * scale).astype(np.float32)
    np.multiply(x, scale[:, None, None], out=out)
    np.add(out, shift[:, None, None], out=out)
    np.maximum(out, 0, out=out)

def layernorm():
    m = rows.mean(axis=1, keepdims=True)
    v = rows.var(axis=1, keepdims=True)
    return (rows - m) / np.sqrt(v + c(1e-5)) * lw + lb

def log_softmax():
    s = small - small.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))

ops = {
    "relu": (lambda: np.maximum(x, 0, out=out), 2),
    "relu_bwd": (lambda: (np.multiply(other, x > 0, out=out), np.copyto(grad, out)), 5),
    "add": (lambda: np.add(x, other, out=out), 3),
    "mul_scalar": (lambda: np.multiply(x, c(2), out=out), 2),
    "maxpool": (lambda: x.reshape(128, 64, 16, 2, 16, 2).max(axis=(3, 5)), 1.25),
    "bn_relu": (bn_relu, 2),
    "layernorm": (layernorm, 2),
    "softmax": (log_softmax, 2),
    "dropout": (lambda: np.multiply(x, (rng.random(shape, dtype=np.float32) < c(0.8)) * c(1.25), out=out), 2),
}
if op not in ops:
    print("- -")
    sys.exit(0)
f, traffic = ops[op]
f()
times = []
for _ in range(15):
    start = time.perf_counter()
    f()
    times.append(time.perf_counter() - start)
times.sort()
gb = traffic * x.nbytes / 1e9
print(gb / times[0], gb / times[len(times) // 2])
"""

OPS = ["relu", "relu_bwd", "add", "mul_scalar", "maxpool", "maxpool_bwd", "bn_relu", "bn_relu_bwd",
       "gelu", "gelu_bwd", "layernorm", "layernorm_bwd", "softmax", "dropout"]


def summary(results):
    """(best of the rounds' bests, median of their medians), or None without results."""
    if not results:
        return None
    return max(r[0] for r in results), sorted(r[1] for r in results)[len(results) // 2]


def cell(value):
    return f"{value[0]:8.1f}{value[1]:7.1f}" if value else f"{'-':>8}{'-':>7}"


def numpy_figures(op):
    out = subprocess.run([sys.executable, "-c", NUMPY_POINTWISE, op], capture_output=True, text=True, check=True)
    values = out.stdout.split()
    return None if values[0] == "-" else [float(v) for v in values]


def pointwise_table(bench, threads_list, rounds, ops=OPS):
    header = "".join(f"{f'swiftnn {t}T':>15}" for t in threads_list)
    print(f"\n{'Pointwise ops on 33.5 MB, GB/s (best median)':<44}{header}{'numpy 1T':>15}")
    for op in ops:
        ours = {t: [] for t in threads_list}
        theirs = []
        for _ in range(rounds):
            # Alternate swiftnn and NumPy so a burst of load elsewhere lands on both.
            for t in threads_list:
                ours[t].append(run([bench, "pointwise", op], t))
            figures = numpy_figures(op)
            if figures:
                theirs.append(figures)
        row = f"{op:<44}" + "".join(cell(summary(ours[t])) for t in threads_list)
        print(row + cell(summary(theirs)), flush=True)


def before_after_table(bench, before, threads_list, rounds, ops=OPS):
    """Two builds of swiftnn-bench interleaved (before, after, before, ...) per op and thread count."""
    header = "".join(f"{f'before {t}T':>15}{f'after {t}T':>15}" for t in threads_list)
    print(f"{'GB/s (best median)':<16}{header}")
    for op in ops:
        row = f"{op:<16}"
        for t in threads_list:
            old, new = [], []
            for _ in range(rounds):
                old.append(run([before, "pointwise", op], t))
                new.append(run([bench, "pointwise", op], t))
            row += cell(summary(old)) + cell(summary(new))
        print(row, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="path of the swiftnn-bench executable")
    parser.add_argument("--before", help="another build of swiftnn-bench to interleave with --bench instead of NumPy")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements per side (default 3)")
    parser.add_argument("--ops", default=",".join(OPS), help="comma-separated ops (default all)")
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    ops = args.ops.split(",")
    if args.before:
        before_after_table(args.bench, args.before, threads_list, args.rounds, ops)
    else:
        pointwise_table(args.bench, threads_list, args.rounds, ops)


if __name__ == "__main__":
    main()
