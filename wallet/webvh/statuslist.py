"""Revocation status lists found by timestamp, as the did:webvh AnonCreds method specifies.

A revocation registry definition's attested resource carries `links`, one per status
list published: `{"type": "anonCredsStatusList", "id": "{DID}/resources/{digest}",
"timestamp": seconds}`. The list in force at time T is the linked one with the newest
timestamp at or before T. The index only ever grows: an index that lacks an entry
already seen, or whose newest entry is older than one already seen, is a rollback.
All pure.
"""

from dataclasses import dataclass

from .attested import STATUS_LIST
from .errors import InputError, NotPublished, Rollback, Tampered
from .ids import ResourceId, parse_resource_id


@dataclass(frozen=True, order=True)
class Entry:
    """One linked status list: its timestamp and id (ordered by timestamp)."""

    timestamp: int
    id: str

    def to_link(self) -> dict:
        """Return the entry as a `links` item."""
        return {"type": STATUS_LIST, "id": self.id, "timestamp": self.timestamp}


def parse_links(links, rev_reg: ResourceId) -> tuple[Entry, ...]:
    """Return the status-list entries of an index, oldest first; Tampered if malformed."""
    what = f"The revocation index of {rev_reg.id}"
    entries = []
    for link in links or ():
        if not isinstance(link, dict) or link.get("type") != STATUS_LIST:
            continue  # other kinds of links are allowed and ignored
        stamp, link_id = link.get("timestamp"), link.get("id")
        if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp < 0:
            raise Tampered(f"{what} has an entry without a valid timestamp: {link!r}")
        try:
            target = parse_resource_id(link_id)
        except InputError as err:
            raise Tampered(f"{what} links to a bad id: {err}") from None
        if target.did != rev_reg.did:
            raise Tampered(f"{what} links to {link_id}, which is not its issuer's")
        entries.append(Entry(stamp, link_id))
    entries.sort()
    stamps = [e.timestamp for e in entries]
    if len(set(stamps)) != len(stamps) or len({e.id for e in entries}) != len(entries):
        raise Tampered(f"{what} lists two status lists with one timestamp or one id")
    return tuple(entries)


def check_no_rollback(entries: tuple[Entry, ...], seen: Entry | None, rev_reg_id: str) -> None:
    """Refuse an index older than the newest entry already seen (Rollback)."""
    if seen is None:
        return
    newest = entries[-1] if entries else None
    if newest is None or newest.timestamp < seen.timestamp or seen not in entries:
        got = f"its newest list is stamped {newest.timestamp}" if newest else "it lists none"
        raise Rollback(
            f"The revocation index of {rev_reg_id} is older than one already seen: {got}, "
            f"but the list stamped {seen.timestamp} was seen before (rollback). It was "
            "refused; the issuer's server is serving stale or altered data"
        )


def entry_at(entries: tuple[Entry, ...], timestamp_to: int | None, rev_reg_id: str) -> Entry:
    """Return the entry in force at `timestamp_to` (newest if None); NotPublished if none."""
    if not entries:
        raise NotPublished(f"The issuer has published no status list for {rev_reg_id}")
    if timestamp_to is None:
        return entries[-1]
    found = [e for e in entries if e.timestamp <= timestamp_to]
    if not found:
        raise NotPublished(
            f"No status list of {rev_reg_id} was in force at {timestamp_to}: "
            f"the first is stamped {entries[0].timestamp}"
        )
    return found[-1]


def needs_refresh(entries: tuple[Entry, ...] | None, timestamp_to: int | None) -> bool:
    """Tell whether a known index may lack the entry in force at `timestamp_to`.

    Timestamps only grow, so an index whose newest entry is at or after `timestamp_to`
    already holds the answer; asking for "now" (None or later) needs the latest index.
    """
    return not entries or timestamp_to is None or timestamp_to > entries[-1].timestamp


def next_timestamp(entries: tuple[Entry, ...], now: int) -> int:
    """Return the stamp of a new list: now, or one past the newest if that is not later."""
    if entries and entries[-1].timestamp >= now:
        return entries[-1].timestamp + 1
    return int(now)
