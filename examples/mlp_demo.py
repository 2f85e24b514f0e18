"""Trains the reference MLPnet (3072-128-64-10) with SGD on NumPy data.

The data are ten noisy class prototypes of CIFAR-10's shape, so the loss has
something real to learn; the dataset-backed CIFAR-10 experiment replaces this
demo once the data pipeline lands.
"""
import argparse
import time

import numpy as np

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F


class MLPnet(nn.Module):
    """The reference tutorial's network, written exactly as in PyTorch."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * 32 * 32, 128)
        self.fc2 = nn.Linear(128, 64)
        self.dropout = nn.Dropout(p=0.5)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = swiftnn.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.dropout(x)
        return self.fc3(x)


def make_data(rng, count, prototypes, noise=1.5):
    labels = rng.integers(0, 10, size=count)
    images = prototypes[labels] + noise * rng.standard_normal((count, 3, 32, 32))
    return images.astype(np.float32), labels


def accuracy(model, images, labels):
    model.eval()
    with swiftnn.no_grad():
        predicted = model(images).numpy().argmax(axis=1)
    model.train()
    return float((predicted == labels).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    swiftnn.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    prototypes = rng.standard_normal((10, 3, 32, 32)) * 0.5
    train_x, train_y = make_data(rng, 20_000, prototypes)
    test_x, test_y = make_data(rng, 2_000, prototypes)

    model = MLPnet()
    print(model)
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    criterion = nn.CrossEntropyLoss()
    optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    start = time.perf_counter()
    running = 0.0
    for step in range(1, args.steps + 1):
        batch = rng.integers(0, len(train_x), size=args.batch_size)
        optimizer.zero_grad()
        loss = criterion(model(train_x[batch]), train_y[batch])
        loss.backward()
        optimizer.step()
        running += loss.item()
        if step % 25 == 0:
            print(f"step {step:4d}  loss {running / 25:.4f}")
            running = 0.0
    elapsed = time.perf_counter() - start
    print(f"{args.steps} steps in {elapsed:.1f} s ({args.steps * args.batch_size / elapsed:,.0f} images/s)")
    print(f"test accuracy: {accuracy(model, test_x, test_y):.3f}")


if __name__ == "__main__":
    main()
