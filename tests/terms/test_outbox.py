"""The terms outbox's own logic: what counts as pending, when it is due, what is resent."""

import datetime

import pytest

from wallet.errors import InputError
from wallet.terms.v1_0 import outbox
from wallet.terms.validation import check

NOW = datetime.datetime.now(datetime.UTC)


def sent(kind="receipt", delivery="pending", last=None, direction="sent", **extra):
    """Return a stored-record-shaped dict."""
    return {
        "record_id": "r1",
        "kind": kind,
        "direction": direction,
        "connection_id": "c1",
        "thread_id": "t1",
        "message_id": "m1",
        "body": {"receipt": {"receipt_id": "x"}},
        "delivery": delivery,
        "created_at": outbox.stamp(NOW - datetime.timedelta(hours=1)),
        "last_sent_at": outbox.stamp(last or NOW),
        **extra,
    }


@pytest.mark.parametrize(
    ("kind", "wanted"),
    [
        ("receipt", True),
        ("countersigned", True),
        ("settlement", True),
        ("erasure-request", True),
        ("erasure-ack", True),
        ("offer", False),
        ("response", False),
        ("ack", False),
    ],
)
def test_which_kinds_wait_for_an_ack(kind, wanted):
    assert outbox.wants_ack(kind) is wanted


def test_mark_sent_counts_attempts_and_keeps_the_record_pending():
    first = outbox.mark_sent({"kind": "receipt", "created_at": "x"}, NOW)
    assert (first["delivery"], first["attempts"]) == ("pending", 1)
    later = NOW + datetime.timedelta(seconds=40)
    second = outbox.mark_sent(first, later)
    assert (second["attempts"], second["last_sent_at"]) == (2, outbox.stamp(later))


@pytest.mark.parametrize("record", [{"kind": "offer"}, {"kind": "receipt", "delivery": "acked"}])
def test_mark_sent_leaves_alone_what_needs_no_resending(record):
    assert outbox.mark_sent(record, NOW) == record


@pytest.mark.parametrize(
    ("record", "is_due"),
    [
        (sent(last=NOW - datetime.timedelta(seconds=31)), True),
        (sent(last=NOW - datetime.timedelta(seconds=30)), True),
        (sent(last=NOW - datetime.timedelta(seconds=29)), False),
        (sent(delivery="acked", last=NOW - datetime.timedelta(hours=2)), False),
        (sent(delivery="refused", last=NOW - datetime.timedelta(hours=2)), False),
        (sent(direction="received", last=NOW - datetime.timedelta(hours=2)), False),
    ],
)
def test_a_pending_message_is_due_once_its_last_sending_is_old_enough(record, is_due):
    assert (outbox.due([record], NOW, datetime.timedelta(seconds=30)) == [record]) is is_due


def test_resent_message_keeps_its_id_and_thread_so_the_receiver_knows_the_copy():
    message = outbox.rebuild(sent())
    assert (message._id, message._thread_id, message.KIND) == ("m1", "t1", "receipt")
    assert message.body == {"receipt": {"receipt_id": "x"}}
    ack = outbox.ack_for(message)
    assert (ack.KIND, ack.body, ack._thread_id) == ("ack", {"acks": "m1"}, "t1")


@pytest.mark.parametrize("body", [{}, {"acks": ""}, {"acks": 5}, {"acks": "m" * 129}])
def test_a_malformed_ack_is_refused(body):
    with pytest.raises(InputError):
        check("ack", body)


class Profile:
    """Settings only: what `resend_every` reads."""

    def __init__(self, config):
        self.settings = {"plugin_config": config}


@pytest.mark.parametrize(
    ("config", "every"),
    [
        ({}, outbox.RESEND_EVERY),
        ({"tessera_terms": {"resend_every": "2"}}, 2.0),
        ({"tessera_terms": {"resend_every": "-1"}}, outbox.RESEND_EVERY),
        ({"tessera_terms": {"resend_every": "soon"}}, outbox.RESEND_EVERY),
    ],
)
def test_resend_period_comes_from_the_plugin_config(config, every):
    assert outbox.resend_every(Profile(config)) == every
