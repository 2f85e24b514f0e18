"""The engine's op profiler: time and calls per layer type (forward) and autograd
node (backward), so the slow part of a model is visible.

    with swiftnn.profile() as prof:
        loss = criterion(model(x), y)
        loss.backward()
    print(prof.table())

Setting SWIFTNN_PROFILE=1 turns it on for the whole process."""
import json

from . import _C


class profile:
    """Context manager collecting engine op timings while it is active."""

    def __init__(self):
        self.entries = []
        self._previous = False

    def __enter__(self):
        _C.profiler_reset()
        self._previous = _C.profiler_set_enabled(True)
        return self

    def __exit__(self, *exc):
        self.entries = json.loads(_C.profiler_entries())
        _C.profiler_set_enabled(self._previous)
        return False

    def total_seconds(self, phase=None):
        return sum(e["seconds"] for e in self.entries if phase is None or e["phase"] == phase)

    def table(self, limit=None):
        """A text table: op, phase, calls, total milliseconds, share of the total."""
        total = self.total_seconds() or 1.0
        rows = [f"{'op':<28}{'phase':<10}{'calls':>8}{'total ms':>12}{'%':>7}"]
        for e in self.entries[:limit]:
            rows.append(f"{e['name']:<28}{e['phase']:<10}{e['calls']:>8}{e['seconds'] * 1e3:>12.2f}"
                        f"{100 * e['seconds'] / total:>7.1f}")
        return "\n".join(rows)

    def __repr__(self):
        return self.table()
