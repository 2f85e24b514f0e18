"""Thread safety as README "Guarantees" states it: one model in eval mode serves
inference from several threads with the serial results; two models trained in
two threads give the results each gets alone; the loader's background thread
survives KeyboardInterrupt and interpreter shutdown mid-epoch."""
import subprocess
import sys
import textwrap
import threading

import numpy as np

import swiftnn
from swiftnn import nn, optim


def _cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(8 * 4 * 4, 5))


def test_concurrent_inference_on_one_eval_model_matches_serial():
    swiftnn.manual_seed(1)
    model = _cnn().eval()
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((4, 3, 8, 8)).astype(np.float32) for _ in range(8)]
    with swiftnn.no_grad():
        serial = [model(swiftnn.tensor(x)).numpy() for x in inputs]
    results, errors = {}, []

    def worker(t):
        try:
            with swiftnn.no_grad():
                for round_ in range(20):
                    i = (t + round_) % len(inputs)
                    results[(t, round_)] = (i, model(swiftnn.tensor(inputs[i])).numpy())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 80
    for i, out in results.values():
        np.testing.assert_array_equal(out, serial[i])


def _build(seed):
    """A seeded model, its optimizer and one batch (seeding is global: built before any thread starts)."""
    swiftnn.manual_seed(seed)
    model = _cnn()
    rng = np.random.default_rng(seed)
    return (model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
            swiftnn.tensor(rng.standard_normal((8, 3, 8, 8)).astype(np.float32)), rng.integers(0, 5, 8))


def _steps(model, opt, x, y, steps=30):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_two_models_trained_in_two_threads_match_their_serial_runs():
    expected = {seed: _steps(*_build(seed)) for seed in (1, 2)}
    built = {seed: _build(seed) for seed in (1, 2)}
    got = {}
    threads = [threading.Thread(target=lambda s=seed: got.__setitem__(s, _steps(*built[s]))) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


LOADER_CHILD = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from swiftnn import transforms
    from swiftnn.data import DataLoader, TensorDataset
    mode = sys.argv[1]
    images = np.zeros((4096, 3, 32, 32), np.uint8)
    data = TensorDataset(images, np.zeros(4096, np.int64), transform=transforms.Compose(
        [transforms.ToTensor(), transforms.RandomCrop(32, padding=4)]))
    loader = DataLoader(data, batch_size=64, shuffle=True, prefetch=4)
    it = iter(loader)
    next(it)
    if mode == "interrupt":
        # Ctrl-C mid-epoch, while the prefetch thread is filling its queue: sent from the
        # loop itself, so the epoch cannot end first however fast or slow the machine is.
        try:
            for i, _ in enumerate(it):
                if i == 2:
                    os.kill(os.getpid(), signal.SIGINT)
            print("epoch ended without the interrupt")
        except KeyboardInterrupt:
            print("interrupted")
        # The loader is usable again after the interrupt.
        print("batches", sum(1 for _ in loader))
    else:
        print("exiting mid-epoch", flush=True)
        sys.exit(0)  # the prefetch thread is still running
""")


def _loader_child(mode):
    return subprocess.run([sys.executable, "-c", LOADER_CHILD, mode], capture_output=True, text=True, timeout=120)


def test_loader_thread_survives_keyboard_interrupt():
    result = _loader_child("interrupt")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "interrupted" in result.stdout and "batches 64" in result.stdout


def test_interpreter_exits_cleanly_with_a_loader_mid_epoch():
    for _ in range(3):
        result = _loader_child("exit")
        assert result.returncode == 0, f"status {result.returncode}: {result.stderr[-2000:]}"
        assert "exiting mid-epoch" in result.stdout
