"""`pres_attachment`: presentations decided as ACA-Py decides them, each decoded once."""

import pytest
from acapy_agent.messaging.decorators import attach_decorator
from acapy_agent.messaging.models.base import BaseModelError
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20Pres, V20PresSchema

from wallet.speedups import pres_attachment

from .samples import BROKEN_PROOF, PROOF, pres


def serialized(proof=PROOF, **changes):
    """A presentation as it arrives, with top-level fields changed or removed (None)."""
    message = pres(proof).serialize()
    for key, value in changes.items():
        if value is None:
            message.pop(key)
        else:
            message[key] = value(message) if callable(value) else value
    return message


def other_attach_id(message):
    return [{**message["formats"][0], "attach_id": "elsewhere"}]


def unknown_format(message):
    return [{**message["formats"][0], "format": "example/unknown@v1.0"}]


def twice(message):
    return message["formats"] * 2


def linked(message):
    links = {"links": ["https://example.localhost/p.json"], "sha256": "0" * 64}
    return [{**message["presentations~attach"][0], "data": links}]


def not_base64(message):
    return [{**message["presentations~attach"][0], "data": {"base64": "%%%"}}]


MESSAGES = {
    "valid": serialized(),
    "broken proof": serialized(BROKEN_PROOF),
    "more formats than attachments": serialized(formats=twice),
    "no attachment for the format": serialized(formats=other_attach_id),
    "a format ACA-Py does not know": serialized(formats=unknown_format),
    "an attachment by link": serialized(**{"presentations~attach": linked}),
    "an attachment that is not base64": serialized(**{"presentations~attach": not_base64}),
    "no formats": serialized(formats=None),
}


@pytest.fixture
def decoded_once():
    """Install the one-decode validation for one test; afterwards put ACA-Py's back."""
    saved = V20PresSchema.__dict__["validate_fields"]
    pres_attachment.install()
    yield
    V20PresSchema.validate_fields = saved


def outcome(message):
    try:
        V20Pres.deserialize(message)
    except BaseModelError as error:
        return str(error)
    return "valid"


def stock_outcome(message):
    replaced = V20PresSchema.validate_fields
    V20PresSchema.validate_fields = replaced.__wrapped__
    try:
        return outcome(message)
    finally:
        V20PresSchema.validate_fields = replaced


@pytest.mark.parametrize("name", MESSAGES)
def test_a_presentation_is_decided_as_acapy_decides_it(decoded_once, name):
    expected = stock_outcome(MESSAGES[name])
    assert outcome(MESSAGES[name]) == expected
    assert (expected == "valid") == (name in ("valid", "a format ACA-Py does not know"))


def test_the_attachment_is_decoded_once(decoded_once, monkeypatch):
    decoded = []
    original = attach_decorator.b64_to_bytes

    def counted(value, *args, **kwargs):
        decoded.append(value)
        return original(value, *args, **kwargs)

    monkeypatch.setattr(attach_decorator, "b64_to_bytes", counted)
    stock_outcome(MESSAGES["valid"])
    assert len(decoded) == 2
    decoded.clear()
    assert outcome(MESSAGES["valid"]) == "valid"
    assert len(decoded) == 1


def test_the_hook_stays_a_schema_validator(decoded_once):
    pres_attachment.install()
    replaced = V20PresSchema.validate_fields
    assert replaced.__wrapped__.__module__ == V20PresSchema.__module__
    assert replaced.__marshmallow_hook__ == replaced.__wrapped__.__marshmallow_hook__
