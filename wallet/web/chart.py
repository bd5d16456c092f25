"""A bar chart as SVG elements computed on the server (no script, no inline style): pure."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, BAR_HEIGHT, GAP, LABEL = 560, 22, 8, 180


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the owed and paid parts (widths in px), and the amounts as text."""

    label: str
    y: int
    owed_x: int
    owed_w: int
    paid_w: int
    text: str


def bars(rows):
    """Lay out [(label, owed Decimal, paid Decimal, text)] as stacked horizontal `Bar`s."""
    top = max((owed + paid for _, owed, paid, _ in rows), default=Decimal(0))
    span = WIDTH - LABEL - 120
    laid = []
    for i, (label, owed, paid, text) in enumerate(rows):
        paid_w = int(paid / top * span) if top else 0
        owed_w = int(owed / top * span) if top else 0
        y = i * (BAR_HEIGHT + GAP)
        laid.append(Bar(label, y, LABEL + paid_w, owed_w, paid_w, text))
    return laid


def height(laid):
    """Return the SVG height for the laid-out bars."""
    return max(len(laid), 1) * (BAR_HEIGHT + GAP)
