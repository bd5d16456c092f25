"""Tessera's append-only, encrypted log of what the person disclosed or declined."""

from .log import Entry, HistoryLog, derive_key

__all__ = ["Entry", "HistoryLog", "derive_key"]
