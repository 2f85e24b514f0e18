"""Steady speed, not only best runs (`make bench-steady`): best and median time of a
GEMM 1024³ and of a normal_CNN training step (batch 128), swiftnn through its Python
API, for several thread-pool spin settings (SWIFTNN_SPIN_US), each in a fresh process.
The ratio median/best shows how much the hand-off between threads jitters.

    python bench/steadiness.py [--threads 2] [--spins 0,20,50] [--seconds 4]
"""
import argparse
import json
import os
import subprocess
import sys
import time

CHILD = r"""
import json, sys, time
import numpy as np
import swiftnn
seconds = float(sys.argv[1])
rng = np.random.default_rng(0)

def timings(step):
    step()
    times, start = [], time.perf_counter()
    while len(times) < 20 or time.perf_counter() - start < seconds:
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[0], times[len(times) // 2]

a = swiftnn.tensor(rng.standard_normal((1024, 1024), dtype=np.float32))
b = swiftnn.tensor(rng.standard_normal((1024, 1024), dtype=np.float32))
gemm = timings(lambda: a @ b)

swiftnn.manual_seed(0)
model = swiftnn.models.normal_CNN()
x = swiftnn.tensor(rng.standard_normal((128, 3, 32, 32), dtype=np.float32))
y = rng.integers(0, 10, 128)
optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
criterion = swiftnn.nn.CrossEntropyLoss()

def train_step():
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()

train = timings(train_step)
print(json.dumps({"gemm": gemm, "train": train, "isa": swiftnn.config()["isa"]}))
"""


def measure(threads, spin, seconds):
    env = dict(os.environ, SWIFTNN_NUM_THREADS=str(threads), SWIFTNN_SPIN_US=str(spin))
    done = subprocess.run([sys.executable, "-c", CHILD, str(seconds)], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spins", default="0,20,50", help="SWIFTNN_SPIN_US values, comma-separated")
    parser.add_argument("--seconds", type=float, default=4, help="measuring time per figure")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds over the spin values")
    args = parser.parse_args()
    spins = [int(s) for s in args.spins.split(",")]
    import swiftnn
    print(f"CPU: {swiftnn.config()['cpu']}; threads: {args.threads}; "
          f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'spin µs':>8} {'round':>6} {'GEMM 1024³ GFLOP/s best':>24} {'median':>8} {'med/best':>9}"
          f" {'train step ms best':>19} {'median':>8} {'med/best':>9}")
    flop = 2 * 1024 ** 3
    for round_ in range(args.rounds):
        for spin in spins:
            r = measure(args.threads, spin, args.seconds)
            (gb, gm), (tb, tm) = r["gemm"], r["train"]
            print(f"{spin:>8} {round_ + 1:>6} {flop / gb / 1e9:>24.1f} {flop / gm / 1e9:>8.1f} {gm / gb:>9.2f}"
                  f" {tb * 1e3:>19.1f} {tm * 1e3:>8.1f} {tm / tb:>9.2f}")


if __name__ == "__main__":
    main()
