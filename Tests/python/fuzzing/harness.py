"""Runs fuzz cases in a child interpreter that may die: a crash (signal), a hang
or a SystemError is reported with the input that caused it, and the next case
runs in a fresh child.

A case is a picklable `(target, args, kwargs)`; the child resolves `target` in
`calls.TARGETS` and reports `(outcome, detail)`:
  ("ok", summary) | ("raised", "ValueError") | ("undocumented", message) | ("bad", message)
"bad" is a property failure inside a live interpreter: a SystemError, an
escape that is not an Exception, or a result that differs from NumPy's.
"undocumented" is an ordinary exception of a type the API does not document
(AttributeError from Python code given a wrong type, ...): listed separately.
"""
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Child memory cap: a legitimate but huge allocation fails with an error instead
# of swapping the machine; a crash under it is still a crash.
MEMORY_LIMIT = int(os.environ.get("SWIFTNN_FUZZ_MEMORY", str(3 << 29)))


def _send(stream, obj):
    data = pickle.dumps(obj, protocol=4)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("<Q", head)
    return pickle.loads(stream.read(size))


class Worker:
    """One child interpreter running `child_main`; restarted after each death."""

    def __init__(self, timeout=30.0):
        self.timeout = timeout
        self.process = None

    def _start(self):
        env = dict(os.environ, SWIFTNN_NUM_THREADS=os.environ.get("SWIFTNN_NUM_THREADS", "1"))
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {HERE!r}); import harness; harness.child_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def run(self, case):
        """-> (outcome, detail); outcome "crash"/"hang" when the child died or stalled."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        try:
            _send(self.process.stdin, case)
        except (BrokenPipeError, OSError):
            return self._died()
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        if not ready:
            self.process.kill()
            self.process.wait()
            self.process = None
            return ("hang", f"no answer within {self.timeout:.0f} s")
        answer = _receive(self.process.stdout)
        return answer if answer is not None else self._died()

    def _died(self):
        code = self.process.wait()
        self.process = None
        if code < 0:
            return ("crash", f"killed by {signal.Signals(-code).name}")
        return ("crash", f"exited with status {code}")

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def child_main():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import calls  # imports swiftnn; after the limit so the engine sees it too
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # prints from the API must not corrupt the protocol
    while True:
        case = _receive(stdin)
        if case is None:
            return
        _send(stdout, calls.execute(case))


class Campaign:
    """Counts outcomes of many cases and keeps every failing input."""

    def __init__(self, timeout=30.0):
        self.worker = Worker(timeout)
        self.counts = {}
        self.failures = []
        self.undocumented = {}  # "target: ExceptionType" -> (count, first case)
        self.started = time.monotonic()

    def run(self, case):
        outcome, detail = self.worker.run(case)
        key = outcome if outcome != "raised" else f"raised {detail}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if outcome in ("crash", "hang", "bad"):
            self.failures.append((outcome, detail, case))
        elif outcome == "undocumented":
            where = f"{case[0]}{'/' + str(case[1][0]) if case[0] in ('layer', 'train', 'method', 'transform') else ''}"
            key = f"{where}: {detail.split(':')[0]}"
            count, first = self.undocumented.get(key, (0, (detail, case)))
            self.undocumented[key] = (count + 1, first)
        return outcome, detail

    @property
    def total(self):
        return sum(self.counts.values())

    def report(self):
        lines = [f"{self.total} cases in {time.monotonic() - self.started:.0f} s"]
        lines += [f"  {n:8d}  {k}" for k, n in sorted(self.counts.items(), key=lambda kv: -kv[1])]
        if self.undocumented:
            lines.append("undocumented exception types (target: type, count, first example):")
            for key, (count, (detail, case)) in sorted(self.undocumented.items()):
                lines.append(f"  {key}  x{count}\n      {detail[:160]}\n      {describe(case, 300)}")
        for outcome, detail, case in self.failures[:50]:
            lines.append(f"{outcome.upper()}: {detail}\n    {describe(case)}")
        return "\n".join(lines)

    def close(self):
        self.worker.close()


def describe(case, limit=600):
    """A readable one-line form of a case (arrays shown by dtype and shape)."""
    def show(v):
        import numpy as np
        if isinstance(v, np.ndarray):
            return f"array({v.dtype}, shape={v.shape}, strides={v.strides})"
        if isinstance(v, (list, tuple)):
            inner = ", ".join(show(x) for x in v)
            return f"[{inner}]" if isinstance(v, list) else f"({inner})"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k!r}: {show(x)}" for k, x in v.items()) + "}"
        return repr(v)
    target, args, kwargs = case
    text = f"{target}({show(list(args))[1:-1]}{', ' if args and kwargs else ''}" \
           f"{', '.join(f'{k}={show(v)}' for k, v in kwargs.items())})"
    return text if len(text) <= limit else text[:limit] + "..."
