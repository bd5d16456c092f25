"""The person's rules on disk: one versioned JSON file, owner-only, written atomically."""

from pathlib import Path

from .. import durable
from ..consent.policy import Policy, parse_policy

RULES_FILE = "disclosure-rules.json"
ADVICE = "fix it and move it back, or leave it aside to start again from 'ask every time'."


class RulesFile:
    """The rules file in the wallet's data directory; absent means "ask every time"."""

    def __init__(self, directory):
        """Use `directory` (the holder's data dir); nothing is read yet."""
        self.path = Path(directory) / RULES_FILE

    def load(self):
        """Return the stored `Policy`, or the empty one (ask every time) when none is stored."""
        data = durable.read_json(self.path, missing=None, advice=ADVICE)
        return Policy() if data is None else parse_policy(data)

    def save(self, policy):
        """Write `policy` (validated by a round trip) atomically and durably, mode 0600."""
        document = policy.to_json()
        parse_policy(document)
        self._private_dir()
        durable.write_json(self.path, document, indent=1, sort_keys=True)
        return policy

    def update(self, change):
        """Save `change(current policy)` under the file's lock (no concurrent edit is lost)."""

        def changed(data):
            current = Policy() if data is None else parse_policy(data)
            document = change(current).to_json()
            parse_policy(document)
            return document

        self._private_dir()
        saved = durable.update_json(
            self.path, changed, missing=None, advice=ADVICE, indent=1, sort_keys=True
        )
        return parse_policy(saved)

    def _private_dir(self):
        durable.private_dir(self.path.parent)
