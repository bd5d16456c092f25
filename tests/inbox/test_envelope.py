"""What the inbox accepts as an envelope, and the little it reads of one."""

import json

import pytest

from wallet.inbox.envelope import parse
from wallet.inbox.errors import EnvelopeTooLarge, NotAnEnvelope, WrongContentType

from .envelopes import ENC, WIRE, b64url, envelope, reserialised

DEEP = 100_000


def test_envelope_yields_size_hash_and_recipient_kids_only():
    body = envelope(kids=("k1", "k2"))
    parsed = parse(body, WIRE)
    assert parsed.kids == ("k1", "k2")
    assert parsed.size == len(body)
    assert len(parsed.digest) == 64
    assert parsed.content_type == WIRE


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"not json at all", WIRE, NotAnEnvelope),
        (b"\xff\xfe", ENC, NotAnEnvelope),
        (json.dumps({"@type": "plaintext message"}).encode(), WIRE, NotAnEnvelope),
        (json.dumps([1, 2]).encode(), WIRE, NotAnEnvelope),
        (envelope(protected="!!!"), WIRE, NotAnEnvelope),
        (envelope(protected=b64url({"recipients": []})), WIRE, NotAnEnvelope),
        (envelope(protected=b64url({"recipients": [{"header": {}}]})), WIRE, NotAnEnvelope),
        (envelope(protected=b64url({"recipients": [{"header": []}]})), WIRE, NotAnEnvelope),
        (envelope(protected=b64url({"recipients": [{"header": {"kid": 5}}]})), WIRE, NotAnEnvelope),
        (envelope(protected=b64url({"recipients": "kid"})), WIRE, NotAnEnvelope),
        (envelope(protected=b64url([1])), WIRE, NotAnEnvelope),
        (envelope(kids=("k",) * 65), WIRE, NotAnEnvelope),
        (envelope(kids=("a kid with spaces",)), WIRE, NotAnEnvelope),
        (envelope(protected=b64url(b"[" * DEEP + b"]" * DEEP)), WIRE, NotAnEnvelope),
        (b"[" * DEEP + b"]" * DEEP, WIRE, NotAnEnvelope),
        (b'{"protected": ' + b"[" * DEEP + b"]" * DEEP + b"}", WIRE, NotAnEnvelope),
        (b'{"protected": 5, "iv": "", "ciphertext": "", "tag": ""}', WIRE, NotAnEnvelope),
        (envelope(), "application/json", WrongContentType),
        (envelope(), None, WrongContentType),
        (envelope(ciphertext_bytes=3 * DEEP), WIRE, EnvelopeTooLarge),
    ],
)
def test_bad_envelopes_are_refused_with_a_clear_error(body, content_type, error):
    with pytest.raises(error):
        parse(body, content_type, limit=3 * DEEP)


def test_reserialised_envelope_has_the_same_identity():
    body = envelope()
    assert parse(reserialised(body), WIRE).digest == parse(body, WIRE).digest
    assert parse(envelope(), WIRE).digest != parse(body, WIRE).digest


@pytest.mark.parametrize("content_type", [WIRE, ENC, "Application/SSI-Agent-Wire; charset=x"])
def test_both_didcomm_media_types_are_accepted(content_type):
    assert parse(envelope(), content_type).content_type in (WIRE, ENC)
