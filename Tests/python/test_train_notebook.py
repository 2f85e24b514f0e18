"""notebooks/cifar10_case_study.ipynb runs top to bottom (nbclient) on the 50-image
CIFAR-10, one epoch per experiment, small batches."""
import os
import pathlib

import pytest

from test_data_datasets import cifar_dirs  # noqa: F401  (fixture: the 50/10-image CIFAR-10)

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "cifar10_case_study.ipynb"


def test_case_study_notebook_runs(cifar_dirs, monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    settings = {"SWIFTNN_DATA": cifar_dirs["bin"], "SWIFTNN_NB_EPOCHS": "1", "SWIFTNN_NB_BATCH": "20",
                "SWIFTNN_QUIET": "1", "MPLBACKEND": "Agg"}
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    # Stream chunks are concatenated, as Jupyter shows them: under load the kernel may flush a
    # print's pieces ("1183322", " parameters") as separate outputs.
    text = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    assert "{'train': 40, 'val': 10, 'test': 10}" in text
    assert "1183322 parameters" in text
    assert "Epoch 0, Acc(train/val):" in text
    assert text.count("Accuracy of") >= 10
    assert "best test accuracy: plain" in text


def test_committed_notebooks_carry_their_outputs():
    """Every notebook is committed executed, so a reader on a code host sees results: each code
    cell ran (in order), none ended in an error, and the notebook shows output and a plot."""
    nbformat = pytest.importorskip("nbformat")
    notebooks = sorted(NOTEBOOK.parent.glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        counts = [c.execution_count for c in cells]
        assert None not in counts and counts == sorted(counts), f"{path.name}: not executed top to bottom"
        outputs = [o for c in cells for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: an error cell"
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no plot"
