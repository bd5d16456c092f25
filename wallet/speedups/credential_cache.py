"""Credential infos the read route built, kept until a credential is stored or deleted.

The wallet reads a request's candidates by id for every proof request it answers
(`POST /tessera/credentials/read`, `routes.py`). Counted on a holder at 16 proofs in
flight, 21 of its 41 Askar calls per proof were these fetches (an item with 50
credentials; each fetch is a round trip through Askar's runtime and SQLite's worker
thread), and each credential was loaded and its info built again.

A stored credential never changes; it is only ever stored or deleted, and
`credential_changes` counts both once they have ended. This keeps, per wallet profile,
the infos read while that count stood at one value: they are answered only while the
count still has it, so a store or deletion that has ended empties them, and a read that
overlapped one (the count moved while it fetched) is answered but not kept.

The infos hold credential values in the agent's memory, where the agent already holds
the key that decrypts its whole store. At most `MOST_KEPT` are kept per profile, the
oldest dropped first; they go with the agent process.
"""

from .credential_changes import changes

MOST_KEPT = 1000
_kept = {}  # profile name -> (change count, {cred id: info})


def count(profile_name):
    """Return the profile's change count now: take it before fetching what `keep` keeps."""
    return changes(profile_name)[1]


def cached(profile_name, ids):
    """Return {id: info} of the `ids` kept at the profile's current change count."""
    kept = _kept.get(profile_name)
    if kept is None or kept[0] != count(profile_name):
        return {}
    infos = kept[1]
    return {i: infos[i] for i in ids if i in infos}


def keep(profile_name, counted, infos):
    """Keep `infos` ({id: info}), fetched from when the change count was `counted`.

    Nothing is kept when the count has moved since: a store or deletion ended while
    they were fetched.
    """
    if count(profile_name) != counted:
        return
    kept = _kept.get(profile_name)
    if kept is None or kept[0] != counted:
        kept = _kept[profile_name] = (counted, {})
    stored = kept[1]
    stored.update(infos)
    while len(stored) > MOST_KEPT:
        del stored[next(iter(stored))]


def forget():
    """Drop everything kept (tests)."""
    _kept.clear()
