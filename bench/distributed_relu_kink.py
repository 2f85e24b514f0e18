"""Why ReLU networks cannot match bitwise under data parallelism (docs/distributed.md):
normal_CNN's first two stages as separate layers, one SGD step's gradients on 2 MPI ranks
(B/2 each, SyncBatchNorm) against one process (B). For each data seed it prints how many
ReLU decisions differ between the two runs (a pre-activation that is zero up to float32
rounding) and the worst relative gradient difference per weight. Without a flip the
gradients agree to ~1e-6; one flipped element moves the layers below it by up to ~1e-2.

    mpirun -np 2 python bench/distributed_relu_kink.py
"""
import numpy as np

import swiftnn
import swiftnn.distributed as dist
from swiftnn import nn

B = 8


def build():
    swiftnn.manual_seed(0)
    return [nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)]


def run(layers, x):
    """The output and the input of every ReLU (as NumPy)."""
    pre_activations, h = [], swiftnn.tensor(x)
    for layer in layers:
        if isinstance(layer, nn.ReLU):
            pre_activations.append(h.numpy())
        h = layer(h)
    return h, pre_activations


def weights(layers):
    return [layer.weight for layer in layers if getattr(layer, "weight", None) is not None]


def relative(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def main():
    dist.init_process_group("mpi")
    rank, half = dist.get_rank(), B // 2
    for seed in (0, 1, 2, 3):
        rng = np.random.default_rng(seed)
        x, y = rng.standard_normal((B, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, B)
        reference = build()
        out, reference_pre = run(reference, x)
        nn.CrossEntropyLoss()(out, y).backward()
        synced = build()
        for layer in synced:
            if isinstance(layer, nn.BatchNorm2d):
                nn.SyncBatchNorm.convert_sync_batchnorm(layer)
        out, pre = run(synced, x[rank * half:(rank + 1) * half])
        nn.CrossEntropyLoss()(out, y[rank * half:(rank + 1) * half]).backward()
        grads, pres = [None] * 2, [None] * 2
        dist.all_gather_object(grads, [w.grad.numpy() for w in weights(synced)])
        dist.all_gather_object(pres, pre)
        if rank == 0:
            flips = [int(((np.concatenate([a, b]) > 0) != (r > 0)).sum()) for a, b, r in zip(*pres, reference_pre)]
            diffs = [f"{relative((a + b) / 2, w.grad.numpy()):.1e}" for a, b, w in zip(*grads, weights(reference))]
            print(f"seed {seed}: ReLU decisions that differ per ReLU {flips}; weight gradients, max rel. {diffs}",
                  flush=True)


if __name__ == "__main__":
    main()
