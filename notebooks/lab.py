"""Starts JupyterLab from this virtualenv with a `swiftnn` kernel registered in it.

    python notebooks/lab.py [jupyter lab options...]      (what `make lab` runs)

The kernel spec goes into the virtualenv (sys.prefix/share/jupyter/kernels/swiftnn), so
it runs this interpreter, which imports swiftnn, whichever Jupyter the user opens later.
Options are passed to `jupyter lab` unchanged (e.g. --no-browser --port 8890)."""
import os
import subprocess
import sys

KERNEL_NAME = "swiftnn"
DISPLAY_NAME = "Python 3 (swiftnn)"
NOTEBOOKS = os.path.dirname(os.path.abspath(__file__))


def register_kernel(prefix=sys.prefix):
    """Writes the kernel spec under `prefix` (idempotent); returns its folder."""
    from ipykernel.kernelspec import install
    return install(kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=prefix)


def lab_command(options):
    """`jupyter lab` of this interpreter, opening the notebooks folder. As root (containers, CI)
    Jupyter refuses to start without --allow-root, so it is added there."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={NOTEBOOKS}", *options]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in options:
        command.append("--allow-root")
    return command


def main(argv=None):
    options = sys.argv[1:] if argv is None else argv
    print(f"kernel '{KERNEL_NAME}' registered in {register_kernel()}", flush=True)
    # Replace this process, so Ctrl-C and the server's exit code reach the caller directly.
    command = lab_command(options)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
