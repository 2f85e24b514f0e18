"""`python -m swiftnn.distributed._guard script.py args...`: runs the script as __main__ on
one MPI rank; an exception that escapes it is printed with the rank and ends the whole job
(MPI_Abort with status 1) at once. The launcher (swiftnn.distributed.run) starts ranks so."""
import runpy
import sys
import traceback


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: python -m swiftnn.distributed._guard script.py [args...]")
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            _abort(f"exited with status {exit_.code!r}", int(exit_.code) if isinstance(exit_.code, int) else 1)
        raise
    except BaseException:  # noqa: BLE001 - any failure must end every rank
        _abort(traceback.format_exc(), 1)


def _abort(message, status):
    from mpi4py import MPI
    rank = MPI.COMM_WORLD.Get_rank()
    sys.stderr.write(f"[swiftnn rank {rank}] {message.rstrip()}\n[swiftnn rank {rank}] aborting the job\n")
    sys.stderr.flush()
    sys.stdout.flush()
    MPI.COMM_WORLD.Abort(status)


if __name__ == "__main__":
    main()
