"""Concurrent writers: each test records its figures (writes attempted / kept), shown at the end."""

import pytest
from web.conftest import app, client, clock, fake, person, service, unlocked  # noqa: F401

FIGURES = []  # (what, writers, attempted, answered ok, kept)


def pytest_terminal_summary(terminalreporter):
    """Print the figures of the concurrent-write tests that ran."""
    if not FIGURES:
        return
    terminalreporter.section("concurrent writes: attempted / answered ok / kept")
    for what, writers, attempted, ok, kept in FIGURES:
        terminalreporter.write_line(
            f"{what:<58} {writers:>3} writers {attempted:>3} / {ok:>3} / {kept:>3}"
        )


@pytest.fixture
def figures():
    """Record one row of figures: figures(what, writers, attempted, ok, kept)."""

    def record(what, writers, attempted, ok, kept):
        FIGURES.append((what, writers, attempted, ok, kept))

    return record
