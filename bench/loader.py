#!/usr/bin/env python3
"""Loader throughput: images/s through swiftnn.data.DataLoader on CIFAR-size data
(uint8 3x32x32), batch 128, RandomCrop(32, padding=4) + RandomHorizontalFlip +
ToTensor + Normalize, shuffled, with background prefetch. Each batch is turned
into a Tensor as a training loop would receive it; nothing else is done with it.

    .venv/bin/python bench/loader.py [--images 20000] [--epochs 3] [--prefetch 2]
    .venv/bin/python bench/loader.py --root DIR   # real CIFAR-10 training set under DIR
"""
import argparse
import time

import numpy as np

from swiftnn import data, datasets, transforms as T


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=20000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--prefetch", type=int, default=2)
    ap.add_argument("--root", help="read CIFAR-10 (either official layout) from here instead of random images")
    a = ap.parse_args()

    if a.root:
        ds = datasets.CIFAR10(a.root, train=True)
    else:
        rng = np.random.default_rng(0)
        ds = data.TensorDataset(rng.integers(0, 256, (a.images, 3, 32, 32), dtype=np.uint8),
                                rng.integers(0, 10, a.images))
    ds.transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                              T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])
    loader = data.DataLoader(ds, batch_size=a.batch_size, shuffle=True, seed=0, prefetch=a.prefetch)
    for _ in loader:  # warm-up epoch
        pass
    rates = []
    for epoch in range(a.epochs):
        start, seen = time.perf_counter(), 0
        for images, labels in loader:
            seen += images.shape[0]
        rates.append(seen / (time.perf_counter() - start))
        print(f"epoch {epoch}: {rates[-1]:,.0f} images/s")
    print(f"loader: median {np.median(rates):,.0f} images/s (batch {a.batch_size}, crop+flip+normalize, "
          f"prefetch {a.prefetch})")


if __name__ == "__main__":
    main()
