"""Slow admin calls (key generation) run in a background thread, watched by a status page."""

import logging
import secrets
import threading
from dataclasses import dataclass, field

from ..errors import WalletError

log = logging.getLogger(__name__)
MAX_JOBS = 100


@dataclass
class Job:
    """One background task: what it does, its state, its result or error message."""

    id: str
    title: str
    state: str = "running"
    result: dict = field(default_factory=dict)
    error: str = ""
    steps: list = field(default_factory=list)

    def to_json(self):
        """Return what the status endpoint shows."""
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "steps": list(self.steps),
            "result": dict(self.result),
            "error": self.error,
        }


class JobBoard:
    """Runs jobs in daemon threads and keeps the last MAX_JOBS of them."""

    def __init__(self):
        """Start with no jobs."""
        self._jobs = {}
        self._lock = threading.Lock()

    def submit(self, title, func):
        """Run `func(job)` in the background; return the new job's id."""
        job = Job(secrets.token_urlsafe(12), title)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.pop(next(iter(self._jobs)))
        thread = threading.Thread(target=self._run, args=(job, func), daemon=True)
        thread.start()
        return job.id

    def _run(self, job, func):
        try:
            job.result = func(job) or {}
            job.state = "done"
        except WalletError as exc:
            job.error = str(exc)
            job.state = "failed"
        except Exception:
            # A thread has nobody to raise to: record the failure and log the traceback.
            log.exception("Background job %s failed", job.title)
            job.error = "Unexpected error; the console log has the details."
            job.state = "failed"

    def get(self, job_id):
        """Return the job with `job_id`, or None."""
        with self._lock:
            return self._jobs.get(job_id)
