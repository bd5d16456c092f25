"""Who issued each credential: the big exchange records are listed only when needed."""

from wallet.holder.records import IssuanceIndex


class CountingAdmin:
    """Answers the two admin calls the index makes and counts the exchange listings."""

    def __init__(self):
        self.done = []
        self.listings = 0

    def get(self, path, **params):
        if path == "/connections":
            return {"results": [{"connection_id": "c1", "their_label": "State"}]}
        self.listings += 1
        return {"results": self.done}

    def issue(self, cred_id):
        self.done.append(
            {
                "anoncreds": {"cred_id_stored": cred_id},
                "cred_ex_record": {
                    "cred_ex_id": f"cx-{cred_id}",
                    "connection_id": "c1",
                    "updated_at": f"2026-11-{cred_id}",
                },
            }
        )


class Holder:
    def __init__(self):
        self.admin = CountingAdmin()


def test_exchanges_are_listed_again_only_for_a_new_credential():
    holder, index = Holder(), IssuanceIndex()
    holder.admin.issue("01")
    assert index.lookup(holder, ["01"]) == {"01": ("State", "2026-11-01")}
    for _ in range(5):
        index.lookup(holder, ["01"])
    assert holder.admin.listings == 1
    holder.admin.issue("02")
    assert index.lookup(holder, ["01", "02"])["02"] == ("State", "2026-11-02")
    assert holder.admin.listings == 2


def test_a_credential_without_an_exchange_is_not_looked_for_on_every_view():
    holder, index = Holder(), IssuanceIndex()
    assert index.lookup(holder, ["orphan"]) == {"orphan": IssuanceIndex.UNKNOWN}
    index.lookup(holder, ["orphan"])
    assert holder.admin.listings == 1
