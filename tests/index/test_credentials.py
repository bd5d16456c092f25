"""The credential index: fed by webhooks, paged with a total, sealed at rest."""

import secrets

import pytest

from wallet.index import credentials
from wallet.index.credentials import CredentialIndex, CredentialIndexError, IndexedCredential

ISSUER = "did:tessera:z6MkIssuer"
OTHER = "did:tessera:z6MkOther"


def offer_event(cred_ex_id, schema="id", issuer=ISSUER, at="2026-01-01T00:00:00Z"):
    """Return the exchange record's webhook carrying the offer's kind."""
    offer = {"schema_id": f"{issuer}/schema/{schema}", "cred_def_id": f"{issuer}/creddef/{schema}"}
    return {
        "cred_ex_id": cred_ex_id,
        "updated_at": at,
        "by_format": {"cred_offer": {"anoncreds": offer}},
    }


def stored_event(cred_ex_id, cred_id, at="2026-01-01T00:00:01Z"):
    """Return the AnonCreds detail webhook saying the credential was stored."""
    return {"cred_ex_id": cred_ex_id, "cred_id_stored": cred_id, "updated_at": at}


def fed(index, cred_ex_id, cred_id, at="t9999", schema="id", issuer=ISSUER):
    """Feed `index` one issuance's two webhooks."""
    index.apply("issue_credential_v2_0", offer_event(cred_ex_id, schema, issuer))
    index.apply("issue_credential_v2_0_anoncreds", stored_event(cred_ex_id, cred_id, at))


def filled(count, schema="id", issuer=ISSUER):
    """Return an index fed `count` issuances through webhooks."""
    index = CredentialIndex()
    for i in range(count):
        fed(index, f"x{i}", f"c{i:04}", f"t{i:04}", schema, issuer)
    return index


def test_a_stored_credential_is_indexed_with_its_kind_and_no_value():
    index = CredentialIndex()
    assert index.apply("issue_credential_v2_0", offer_event("x1")) is None
    entry = index.apply("issue_credential_v2_0_anoncreds", stored_event("x1", "cred-1"))
    assert entry == index.get("cred-1")
    assert entry.cred_def_id == f"{ISSUER}/creddef/id" and entry.issuer_id == ISSUER
    assert set(vars(entry)) == {
        "cred_id",
        "schema_id",
        "cred_def_id",
        "issued_at",
        "rev_reg_id",
        "cred_rev_id",
        "revoked",
        "connection_id",
    }


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("issue_credential_v2_0_anoncreds", stored_event("unknown", "cred-1")),  # no offer seen
        ("issue_credential_v2_0_anoncreds", {"cred_ex_id": "x1"}),  # not stored yet
        ("present_proof_v2_0", {"pres_ex_id": "p1", "state": "done"}),
    ],
)
def test_events_that_store_nothing_index_nothing(topic, payload):
    index = CredentialIndex()
    index.apply("issue_credential_v2_0", offer_event("x1"))
    assert index.apply(topic, payload) is None
    assert len(index) == 0


def test_pages_are_newest_first_with_a_total():
    index = filled(25)
    page, total = index.page(offset=0, limit=10)
    assert total == 25 and [e.cred_id for e in page][:2] == ["c0024", "c0023"]
    page, total = index.page(offset=20, limit=10)
    assert [e.cred_id for e in page] == ["c0004", "c0003", "c0002", "c0001", "c0000"]
    assert index.page(schema_id="nope")[1] == 0


@pytest.mark.parametrize(
    ("restrictions", "expected"),
    [
        ([], ["c0000", "c0001"]),
        ([{"cred_def_id": f"{ISSUER}/creddef/id"}], ["c0000", "c0001"]),
        ([{"issuer_did": OTHER}], []),
        ([{"issuer_did": OTHER}, {"schema_id": f"{ISSUER}/schema/id"}], ["c0000", "c0001"]),
        ([{"attr::given_name::value": "Alice"}], None),  # a value: ACA-Py must decide
    ],
)
def test_allowed_follows_anoncreds_or(restrictions, expected):
    assert filled(2).allowed(restrictions) == expected


def test_removed_and_revoked_credentials():
    index = filled(2)
    index.mark_revoked("c0001", True)
    assert index.get("c0001").revoked is True
    assert index.remove("c0000") and not index.remove("c0000")
    assert [e.cred_id for e in index.page()[0]] == ["c0001"]


def entry(cred_id, at):
    return IndexedCredential(cred_id, f"{ISSUER}/schema/id", f"{ISSUER}/creddef/id", at)


@pytest.mark.parametrize(
    ("change", "newest", "revoked"),
    [
        (lambda index: None, ["c0002", "c0001", "c0000"], None),
        (lambda index: index.add(entry("n", "t9999")), ["n", "c0002", "c0001", "c0000"], None),
        (lambda index: index.remove("c0001"), ["c0002", "c0000"], None),
        (lambda index: index.mark_revoked("c0002", True), ["c0002", "c0001", "c0000"], True),
        (lambda index: index.relist(lambda: [entry("r", "t0001")]), ["r"], None),
        (lambda index: fed(index, "y", "w"), ["w", "c0002", "c0001", "c0000"], None),
    ],
)
def test_answers_kept_between_reads_follow_every_change(change, newest, revoked):
    index = filled(3)
    restrictions = [{"cred_def_id": f"{ISSUER}/creddef/id"}]
    assert index.newest(restrictions) == ["c0002", "c0001", "c0000"]  # kept from here
    assert [e.cred_id for e in index.page()[0]] == ["c0002", "c0001", "c0000"]
    change(index)
    assert index.newest(restrictions) == newest == [e.cred_id for e in index.page()[0]]
    assert index.page()[0][0].revoked is revoked
    index.newest(restrictions).clear()  # a caller changing its answer changes no other
    assert index.newest(restrictions) == newest


def test_sealed_at_rest_and_read_back(tmp_path):
    key, path = secrets.token_bytes(32), tmp_path / "credentials.index"
    index = filled(3)
    credentials.save(index, path, key)
    assert b"creddef" not in path.read_bytes()
    assert credentials.load(path, key).entries() == index.entries()
    assert len(credentials.load(tmp_path / "missing", key)) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["credentials.index"]  # no temp left


@pytest.mark.parametrize("damage", ["wrong key", "flipped byte"])
def test_a_wrong_key_or_changed_file_is_refused(tmp_path, damage):
    key, path = secrets.token_bytes(32), tmp_path / "credentials.index"
    credentials.save(filled(1), path, key)
    if damage == "wrong key":
        key = secrets.token_bytes(32)
    else:
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
    with pytest.raises(CredentialIndexError, match="rebuilds it"):
        credentials.load(path, key)


def test_index_entries_round_trip_as_data():
    entry = IndexedCredential("c", f"{ISSUER}/schema/s", f"{ISSUER}/creddef/s", "t")
    assert CredentialIndex([entry]).entries() == [entry]
