"""Timing helpers: percentiles and per-process CPU time from /proc."""

import os
import statistics


def percentiles(samples):
    """Return p50, p95 and max of `samples` (milliseconds), rounded."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50": None, "p95": None, "max": None, "n": 0}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def cpu_seconds(pid):
    """Return user+system CPU seconds used so far by process `pid` (and its threads)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by named processes between `start()` and `stop()`."""

    def __init__(self, pids):
        """`pids` maps a name (holder, verifier, controller) to a pid."""
        self.pids = dict(pids)
        self._start = {}

    def start(self):
        """Take the starting reading."""
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def stop(self):
        """Return {name: CPU seconds used since start}."""
        return {name: cpu_seconds(pid) - self._start[name] for name, pid in self.pids.items()}
