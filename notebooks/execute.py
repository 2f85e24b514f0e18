"""Executes notebooks in place and keeps what a reader should see.

    python notebooks/execute.py [--timeout SECONDS] NOTEBOOK...

Each notebook runs top to bottom in a fresh kernel (nbclient) with its folder as the
working directory and the settings of the environment (SWIFTNN_DATA, SWIFTNN_NB_*:
see each notebook's first cell). Progress bars are for live sessions: stderr streams and
widget-only outputs are dropped before the notebook is written (atomically), so the
committed file holds the printed results and the plots. `make notebooks` runs this on
every notebook."""
import argparse
import os
import pathlib
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

WIDGET_TYPES = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")


def _wanted(output):
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return False
    data = output.get("data", {})
    return not (data and all(key in WIDGET_TYPES or key == "text/plain" for key in data)
                and any(key in WIDGET_TYPES for key in data))


def strip_live_outputs(notebook):
    """Drops stderr streams (progress bars, warnings) and widget views; returns how many."""
    dropped = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = [o for o in cell.outputs if _wanted(o)]
        dropped += len(cell.outputs) - len(kept)
        cell.outputs = kept
    notebook.metadata.pop("widgets", None)
    return dropped


def write_atomically(notebook, path):
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(notebook, handle)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def execute(path, timeout, kernel_name="python3"):
    notebook = nbformat.read(path, as_version=4)
    start = time.time()
    NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip_live_outputs(notebook)
    write_atomically(notebook, path)
    return time.time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--timeout", type=int, default=4 * 3600, help="per cell, in seconds")
    args = parser.parse_args(argv)
    os.environ.pop("MPLBACKEND", None)  # the kernels' inline backend, so plots land in the notebook
    for path in args.notebooks:
        seconds = execute(path.resolve(), args.timeout)
        print(f"{path}: executed in {seconds / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
