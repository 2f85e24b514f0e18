"""The training workflow on a 50-image CIFAR-10 (made by ../shared/datasets/make-cifar10.py,
as the data tests do): the Python experiment and `swiftnn-cli train` give the same
numbers for the same seed, and the demo script runs on CIFAR-10 and, offline without
data, on the digits set."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import swiftnn
from swiftnn import datasets
from swiftnn import transforms as T
from swiftnn.train import experiment, make_partition
from test_cli_parity import cli  # noqa: F401  (fixture: the release CLI, built by `make cli`)
from test_data_datasets import cifar_dirs  # noqa: F401  (fixture: the 50/10-image CIFAR-10)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "cifar10_experiment.py"
SEED, EPOCHS, BATCH = 3, 2, 16
NORMALIZE = [T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]


def python_run(root, augment):
    trainset = datasets.CIFAR10(root, train=True, transform=T.Compose(NORMALIZE))
    testset = datasets.CIFAR10(root, train=False, transform=T.Compose(NORMALIZE))
    augmented = datasets.CIFAR10(root, train=True, transform=T.Compose(
        [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()] + NORMALIZE)) if augment else None
    partition = make_partition(trainset, testset, seed=SEED, train_transform_set=augmented)
    assert [len(partition[k]) for k in ("train", "val", "test")] == [40, 10, 10]
    # The CLI's recipe clips the gradient norm at 1.0; experiment() clips only when asked, as the case study.
    args = dict(model="normal_CNN", epoch=EPOCHS, train_batch_size=BATCH, seed=SEED, clip=1.0, quiet=True)
    return experiment(partition, args)[1]


def cli_run(cli, root, augment):
    out = subprocess.run([str(cli), "train", "--model", "normal_cnn", "--data", root, "--epochs", str(EPOCHS),
                          "--batch-size", str(BATCH), "--seed", str(SEED), "--augment", str(int(augment))],
                         check=True, capture_output=True, text=True).stdout
    epochs = [dict(zip(m[::2], map(float, m[1::2]))) for m in
              (line.split()[2:-2] for line in out.splitlines() if line.startswith("epoch "))]
    test = re.search(r"^test_loss (\S+) test_acc (\S+)", out, re.MULTILINE)
    return epochs, float(test.group(1)), float(test.group(2)), out


@pytest.mark.parametrize("augment", [False, True])
def test_python_and_cli_give_the_same_numbers(cli, cifar_dirs, augment):
    result = python_run(cifar_dirs["bin"], augment)
    epochs, test_loss, test_acc, out = cli_run(cli, cifar_dirs["bin"], augment)
    assert len(epochs) == EPOCHS, out
    for key in ("train_loss", "val_loss", "train_acc", "val_acc"):
        assert [e[key] for e in epochs] == pytest.approx(result[key.replace("loss", "losses").replace("acc", "accs")],
                                                         rel=1e-9), key
    assert test_loss == pytest.approx(result["test_loss"], rel=1e-9)
    assert test_acc == pytest.approx(result["test_acc"])
    assert out.count("Accuracy of") == 10 and "1183322 parameters" in out


def test_same_seed_same_experiment_on_cifar(cifar_dirs):
    a, b = python_run(cifar_dirs["bin"], False), python_run(cifar_dirs["bin"], False)
    assert a["train_losses"] == b["train_losses"] and a["val_losses"] == b["val_losses"]


def test_cli_train_rejects_bad_arguments(cli, tmp_path):
    bad = subprocess.run([str(cli), "train", "--epochs", "x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--epochs expects a number" in bad.stderr
    missing = subprocess.run([str(cli), "train", "--data", str(tmp_path)], capture_output=True, text=True)
    assert missing.returncode == 2 and "cifar-10-batches-bin" in missing.stderr
    recipe = subprocess.run([str(cli), "train", "--recipe", "magic"], capture_output=True, text=True)
    assert recipe.returncode == 2 and "unknown recipe" in recipe.stderr


def run_demo(args, **env):
    return subprocess.run([sys.executable, str(DEMO)] + args, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SWIFTNN_QUIET": "1", **env})


def test_demo_on_cifar_writes_the_plots(cifar_dirs, tmp_path):
    pytest.importorskip("matplotlib")
    job = run_demo(["--data", cifar_dirs["py"], "--epochs", "1", "--batch-size", "20", "--out", str(tmp_path),
                    "--augment"])
    assert job.returncode == 0, job.stderr
    assert "train 40, val 10, test 10 images" in job.stdout
    assert re.search(r"final accuracy: train [\d.]+%, val [\d.]+%, test [\d.]+%", job.stdout)
    assert job.stdout.count("Accuracy of") == 10
    for name in ("loss_variation.png", "acc_variation.png", "confusion.png", "predictions.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_demo_offline_without_data_runs_on_digits(tmp_path):
    pytest.importorskip("sklearn")
    job = run_demo(["--data", str(tmp_path / "nothing"), "--epochs", "1", "--limit", "300", "--out", str(tmp_path)],
                   SWIFTNN_CIFAR10_URL="http://127.0.0.1:9/cifar-10-python.tar.gz")
    assert job.returncode == 0, job.stderr
    assert "could not be downloaded" in job.stdout and "digits" in job.stdout
    assert "train 240, val 60, test 300 images" in job.stdout
    assert job.stdout.count("Accuracy of") == 10


def test_cli_eval_matches_python_on_a_saved_checkpoint(cli, cifar_dirs, tmp_path):
    """A model trained and saved from Python, evaluated by `swiftnn-cli eval` on the same
    test images, gives the accuracy and loss Python computes."""
    swiftnn.manual_seed(SEED)
    model = swiftnn.models.normal_CNN(kernal_list=[8, "p", 16])
    testset = datasets.CIFAR10(cifar_dirs["bin"], train=False, transform=T.Compose(NORMALIZE))
    loader = swiftnn.data.DataLoader(testset, batch_size=4)
    optimizer = swiftnn.optim.Adam(model.parameters(), lr=1e-2)
    for images, labels in loader:  # a few steps, so the weights are not the initial ones
        optimizer.zero_grad()
        swiftnn.nn.CrossEntropyLoss()(model(images), labels).backward()
        optimizer.step()
    model.eval()
    correct, losses = 0, []
    with swiftnn.no_grad():
        for images, labels in swiftnn.data.DataLoader(testset, batch_size=500):
            logits = model(images)
            losses.append(swiftnn.nn.CrossEntropyLoss()(logits, labels).item())
            correct += int((logits.numpy().argmax(1) == labels).sum())
    weights = tmp_path / "model.safetensors"
    swiftnn.save(model.state_dict(), weights)
    out = subprocess.run([str(cli), "eval", "--model", "normal_CNN", "--config", '{"kernal_list": [8, "p", 16]}',
                          "--weights", str(weights), "--data", cifar_dirs["bin"]], check=True, capture_output=True,
                         text=True).stdout
    found = re.search(r"test_loss (\S+) test_acc (\S+) \((\d+)/(\d+)\)", out)
    assert found, out
    assert int(found.group(3)) == correct and int(found.group(4)) == len(testset)
    assert float(found.group(1)) == pytest.approx(losses[0], rel=1e-5)
    assert out.count("Accuracy of") == 10
    # A checkpoint of another architecture is refused with the mismatched keys named.
    bad = subprocess.run([str(cli), "eval", "--model", "normal_CNN", "--weights", str(weights), "--data",
                          cifar_dirs["bin"]], capture_output=True, text=True)
    assert bad.returncode != 0 and "features" in bad.stderr
