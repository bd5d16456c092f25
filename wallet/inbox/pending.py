"""What a locked wallet may show of its inbox queue, shared by the inbox and its clients."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    """What a locked wallet may show: how many envelopes wait, their bytes, how many failed."""

    count: int
    bytes: int
    failed: int
