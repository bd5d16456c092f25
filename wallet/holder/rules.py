"""The person's rules on disk: one versioned JSON file, owner-only, written atomically."""

import json
import os
import tempfile
from pathlib import Path

from ..consent.policy import Policy, parse_policy
from ..errors import InputError

RULES_FILE = "disclosure-rules.json"


class RulesFile:
    """The rules file in the wallet's data directory; absent means "ask every time"."""

    def __init__(self, directory):
        """Use `directory` (the holder's data dir); nothing is read yet."""
        self.path = Path(directory) / RULES_FILE

    def load(self):
        """Return the stored `Policy`, or the empty one (ask every time) when none is stored."""
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return Policy()
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.path} is not valid JSON (line {exc.lineno}); fix or remove it to start "
                "again from 'ask every time'."
            ) from exc
        return parse_policy(data)

    def save(self, policy):
        """Write `policy` (validated by a round trip) atomically with mode 0600."""
        document = policy.to_json()
        parse_policy(document)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".rules-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(document, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return policy
