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


def _stat(path):
    """Return (thread name, user+system CPU seconds) from a /proc stat file."""
    with open(path) as handle:
        text = handle.read()
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """Return user+system CPU seconds used so far by process `pid` (and its threads)."""
    return _stat(f"/proc/{pid}/stat")[1]


# Where an ACA-Py agent's CPU goes, by thread: AnonCreds runs in the asyncio default
# executor's worker threads, Askar (storage, DIDComm crypto) in its own Rust threads,
# and everything else (DIDComm handling, record (de)serialization and validation,
# webhooks, the admin API) on the event loop, the main thread.
PARTS = ("crypto_workers", "event_loop", "askar", "exited_threads")


def thread_parts(pid):
    """Return {part: CPU seconds so far} for an agent's threads (see PARTS)."""
    parts = dict.fromkeys(PARTS, 0.0)
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, seconds = _stat(f"/proc/{pid}/task/{tid}/stat")
        except (OSError, ValueError):
            continue  # the thread ended while being read
        if tid == str(pid):
            parts["event_loop"] += seconds
        elif name.startswith(("tokio", "sqlx")):
            parts["askar"] += seconds
        else:
            parts["crypto_workers"] += seconds
    return parts


class CpuMeter:
    """CPU seconds used by named processes between `start()` and `stop()`.

    Processes named in `split` (the agents) are also read thread by thread.
    """

    def __init__(self, pids, split=()):
        """`pids` maps a name (holder, verifier, controller) to a pid."""
        self.pids = dict(pids)
        self.split_names = tuple(split)
        self._start = {}
        self._parts = {}

    def start(self):
        """Take the starting reading."""
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._parts = {name: thread_parts(self.pids[name]) for name in self.split_names}
        return self

    def stop(self):
        """Return {name: CPU seconds used since start}."""
        return {name: cpu_seconds(pid) - self._start[name] for name, pid in self.pids.items()}

    def split(self, totals):
        """Return {name: {part: CPU seconds since start}} for the split processes.

        `totals` is `stop()`'s answer; what threads that ended took is `exited_threads`.
        """
        out = {}
        for name in self.split_names:
            now, then = thread_parts(self.pids[name]), self._parts[name]
            parts = {k: max(0.0, now[k] - then[k]) for k in PARTS if k != "exited_threads"}
            parts["exited_threads"] = max(0.0, totals[name] - sum(parts.values()))
            out[name] = parts
        return out
