"""How many times the holder's stored credentials changed since the agent started.

The wallet's credential index (`wallet.holder.credential_index`) is fed by webhooks and
checks, before it answers, that ACA-Py holds no credential it does not know (one whose
webhook trails or was lost). ACA-Py has no count of its credentials: the check asks for
the credentials from one before the count the index knows (`GET /credentials?offset=
<known - 1>&limit=2`), and Askar skips those rows one by one, which took ~57 ms at
10,000 credentials, on every page and every request item. This keeps a number per wallet
profile that changes whenever a credential is stored or deleted, and an id of this agent
process: while the pair (`GET /tessera/credentials/changes`) is what it was when the
index was last found complete, nothing was stored or deleted since, and the wallet skips
the check. A change is counted once the store or deletion has ended, committed or
failed: the wallet reads the count before it checks, so a store still running during the
check (not yet listed) changes the count after it was read, and the next read checks
again.

Upstream, a count or a change counter on `GET /credentials` would make it unnecessary.
"""

import functools
import uuid
from collections import Counter

from acapy_agent.anoncreds.holder import AnonCredsHolder

EPOCH = str(uuid.uuid4())  # this agent process: a restarted agent counts from 0 again
_changes = Counter()  # profile name -> stores and deletions ended since the agent started
_WRAPPED = "__tessera_counts_changes__"


def changes(profile_name):
    """Return (this process's id, how many stores and deletions ended in `profile_name`)."""
    return EPOCH, _changes[profile_name]


def changed(profile_name, count=1):
    """Count changes to `profile_name`'s credentials, once they have ended (committed)."""
    _changes[profile_name] += count


def _counting(method):
    @functools.wraps(method)
    async def counted(self, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        finally:
            changed(self.profile.name)

    setattr(counted, _WRAPPED, True)
    return counted


def install():
    """Count every store and deletion (ACA-Py's two store paths end in the first)."""
    for name in ("_finish_store_credential", "delete_credential"):
        if not getattr(getattr(AnonCredsHolder, name), _WRAPPED, False):
            setattr(AnonCredsHolder, name, _counting(getattr(AnonCredsHolder, name)))
