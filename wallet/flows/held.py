"""The holder's stored credentials and a request's candidates, read whole, page by page.

ACA-Py answers at most one page (`limit`) per call: a wallet holding more credentials
than a page must not silently lose the rest from its lists or from what can answer.
"""

import collections
import json
from urllib.parse import quote

PAGE = 1000
READ_MOST = 100  # ids per read call (the route's own bound)


def credentials(holder, wql=None, page=PAGE):
    """Return every stored credential's info (those matching the `wql` query, if given)."""
    params = {"wql": json.dumps(wql)} if wql else {}
    found, offset = [], 0
    while True:
        batch = holder.admin.get("/credentials", limit=page, offset=offset, **params)["results"]
        found += batch
        if len(batch) < page:
            return found
        offset += page


def listed(holder, wql=None, offset=0, limit=PAGE):
    """Return one page of stored credentials' info from `offset`, in ACA-Py's listing order.

    That order is Askar's (its encrypted names), not the order credentials were stored
    in: a page past a known count says that there are more, not which.
    """
    params = {"wql": json.dumps(wql)} if wql else {}
    return holder.admin.get("/credentials", limit=limit, offset=offset, **params)["results"]


def credential(holder, cred_id):
    """Return one stored credential's info by id."""
    return holder.admin.get(f"/credential/{quote(cred_id, safe='')}")


def read(holder, cred_ids):
    """Return {id: info, or None when none is stored under it} in calls of up to `READ_MOST` ids.

    Through the holder's `wallet.speedups` route (`POST /tessera/credentials/read`), which
    reads each as `credential` does, in one call instead of one call per credential.
    """
    found = {}
    ids = list(dict.fromkeys(cred_ids))
    for start in range(0, len(ids), READ_MOST):
        chunk = ids[start : start + READ_MOST]
        results = holder.admin.post("/tessera/credentials/read", {"ids": chunk})["results"]
        found.update(zip(chunk, results, strict=True))
    return found


def changes(holder):
    """Return (the agent process's id, how many credential stores and deletions ended in it).

    Through `wallet.speedups`' `GET /tessera/credentials/changes`: equal answers mean no
    credential was stored or deleted in between.
    """
    found = holder.admin.get("/tessera/credentials/changes")
    return found["epoch"], found["changes"]


def delete(holder, cred_id):
    """Delete one stored credential."""
    holder.admin.delete(f"/credential/{quote(cred_id, safe='')}")


def candidates(holder, pres_ex_id, page=PAGE, referents=None):
    """Return every item ACA-Py lists as a candidate for a request, across pages.

    ACA-Py pages each referent's search separately and merges them, so only a referent
    that filled its page can have more: those are read on, one referent at a time.
    `referents` limits the search to those referents of the request.
    """
    path = f"/present-proof-2.0/records/{pres_ex_id}/credentials"
    merged = {}
    only = {"referent": ",".join(sorted(referents))} if referents is not None else {}
    if referents is not None and not referents:
        return []
    first = holder.admin.get(path, limit=page, offset=0, **only)
    _fold(merged, first)
    counts = collections.Counter(r for item in first for r in item["presentation_referents"])
    for referent in sorted(r for r, n in counts.items() if n >= page):
        offset = page
        while True:
            batch = holder.admin.get(path, referent=referent, limit=page, offset=offset)
            _fold(merged, batch)
            if len(batch) < page:
                break
            offset += page
    return list(merged.values())


def _fold(merged, items):
    for item in items:
        key = item["cred_info"]["referent"]
        referents = set(item.get("presentation_referents") or ())
        if key in merged:
            referents |= set(merged[key]["presentation_referents"])
        merged[key] = {**item, "presentation_referents": sorted(referents)}
