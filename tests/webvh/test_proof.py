"""eddsa-jcs-2022 proofs: made here, verified here and by the did-webvh library's rules."""

import asyncio
import copy

import pytest

from wallet.webvh.errors import Tampered
from wallet.webvh.proof import create_proof, verify_proof

from .helpers import NOW, local_key

DOC = {"@context": ["x"], "id": "did:example:1/resources/z1", "content": {"a": 1, "b": "é"}}


def signed(key, doc=DOC):
    proof = asyncio.run(create_proof(doc, key.sign, "did:example:1#key-01", NOW))
    return {**doc, "proof": proof}


def test_a_proof_verifies_and_names_its_method_and_time():
    key = local_key()
    doc = signed(key)
    verify_proof(doc, key.multikey, "doc")
    assert doc["proof"]["created"] == "2026-03-01T12:00:00Z"
    assert doc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert doc["proof"]["proofPurpose"] == "assertionMethod"
    assert doc["proof"]["proofValue"].startswith("z")


def _content(doc):
    doc["content"]["a"] = 2


def _method(doc):
    doc["proof"]["verificationMethod"] = "did:example:1#key-02"


def _created(doc):
    doc["proof"]["created"] = "2026-03-02T12:00:00Z"


def _value(doc):
    value = doc["proof"]["proofValue"]
    doc["proof"]["proofValue"] = value[:-2] + ("11" if value[-2:] != "11" else "22")


def _garbage(doc):
    doc["proof"]["proofValue"] = "not-multibase"


def _suite(doc):
    doc["proof"]["cryptosuite"] = "ecdsa-jcs-2019"


def _list(doc):
    doc["proof"] = [doc["proof"]]


@pytest.mark.parametrize("tamper", [_content, _method, _created, _value, _garbage, _suite, _list])
def test_any_change_breaks_the_proof(tamper):
    key = local_key()
    doc = copy.deepcopy(signed(key))
    tamper(doc)
    with pytest.raises(Tampered):
        verify_proof(doc, key.multikey, "doc")


def test_a_proof_by_another_key_is_forged():
    doc = signed(local_key())
    with pytest.raises(Tampered, match="does not verify"):
        verify_proof(doc, local_key().multikey, "doc")
