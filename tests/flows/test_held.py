"""Credentials and candidates read whole across ACA-Py's pages (fake HTTP boundary)."""

import json

import pytest

from wallet.agent.handle import Agent
from wallet.flows import held


class PagingAdmin:
    """Pages like ACA-Py 1.7: `/credentials` by limit/offset; candidates per referent."""

    def __init__(self, creds):
        """`creds`: {cred id: (attr names, cred def id)}."""
        self.creds = creds
        self.calls = 0

    def get(self, path, limit, offset, wql=None, referent=None):
        self.calls += 1
        if path == "/credentials":
            want = json.loads(wql)["cred_def_id"] if wql else None
            rows = [i for i, (_, cd) in self.creds.items() if want in (None, cd)]
            return {"results": [{"referent": i} for i in rows[offset : offset + limit]]}
        merged = {}
        for ref in [referent] if referent else ["name", "age"]:
            rows = [i for i, (attrs, _) in self.creds.items() if ref in attrs]
            for i in rows[offset : offset + limit]:
                item = merged.setdefault(i, {"cred_info": {"referent": i}, "refs": set()})
                item["refs"].add(ref)
        return [
            {"cred_info": v["cred_info"], "presentation_referents": sorted(v["refs"])}
            for v in merged.values()
        ]


def wallet(n_both, n_name_only):
    creds = {f"b{i}": (("name", "age"), "cd1") for i in range(n_both)}
    creds.update({f"n{i}": (("name",), "cd2") for i in range(n_name_only)})
    return Agent("holder", PagingAdmin(creds))


@pytest.mark.parametrize(("n_both", "n_name_only"), [(0, 0), (2, 1), (3, 0), (4, 5), (7, 7)])
def test_every_credential_is_listed_whatever_the_page(n_both, n_name_only):
    holder = wallet(n_both, n_name_only)
    found = held.credentials(holder, page=3)
    assert len({c["referent"] for c in found}) == len(found) == n_both + n_name_only
    by_def = held.credentials(holder, wql={"cred_def_id": "cd2"}, page=3)
    assert len(by_def) == n_name_only


@pytest.mark.parametrize(("n_both", "n_name_only"), [(1, 1), (3, 0), (2, 4), (5, 9)])
def test_every_candidate_is_found_for_every_referent(n_both, n_name_only):
    holder = wallet(n_both, n_name_only)
    items = {i["cred_info"]["referent"]: i for i in held.candidates(holder, "px", page=3)}
    assert len(items) == n_both + n_name_only
    for cred_id, item in items.items():
        expected = ["age", "name"] if cred_id.startswith("b") else ["name"]
        assert item["presentation_referents"] == expected


def test_one_page_is_one_call_when_nothing_fills_it():
    holder = wallet(1, 1)  # "name" has 2 candidates, "age" 1: no page is full
    held.candidates(holder, "px", page=3)
    assert holder.admin.calls == 1
