"""Soak: thousands of small training steps (forward, backward, optimizer,
checkpoint round trips, loader epochs) keep the resident set flat: nothing
leaks per step. SWIFTNN_SOAK_STEPS raises the count for a longer run."""
import os

import numpy as np

import swiftnn
from swiftnn import nn, optim
from swiftnn.data import DataLoader, TensorDataset

STEPS = int(os.environ.get("SWIFTNN_SOAK_STEPS", "3000"))


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_rss_stays_flat_over_thousands_of_steps(tmp_path):
    swiftnn.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Dropout(0.1), nn.Linear(4 * 6 * 6, 3))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    loader = DataLoader(TensorDataset(rng.standard_normal((64, 1, 6, 6)).astype(np.float32),
                                      rng.integers(0, 3, 64)), batch_size=16, shuffle=True)
    path = tmp_path / "soak.safetensors"

    def steps(n):
        done = 0
        while done < n:
            for images, labels in loader:
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(images), labels)
                loss.backward()
                opt.step()
                done += 1
                if done % 250 == 0:
                    swiftnn.save(model.state_dict(), path)
                    model.load_state_dict(swiftnn.load(path))
        return loss.item()

    steps(STEPS // 4)  # warm-up: buffer caches and allocator arenas reach their working size
    before = _rss_bytes()
    loss = steps(STEPS)
    growth = _rss_bytes() - before
    assert np.isfinite(loss)
    # A leak of 4 KiB per step (one activation buffer of this model) would add 12 MiB over 3000 steps.
    assert growth < 8 << 20, f"RSS grew by {growth / 2**20:.1f} MiB over {STEPS} steps"
