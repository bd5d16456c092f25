"""The hosted inbox on PostgreSQL: held while logged out, delivered once on login, anywhere."""

import pytest
from inbox.envelopes import ENC, HOLDER_KID, envelope, reserialised
from inbox.fakes import FakeAgent

from wallet.host.accounts import Accounts
from wallet.host.db import Database
from wallet.host.inbox_pg import PgInboxStore
from wallet.inbox.delivery import Deliverer
from wallet.inbox.errors import QuotaExceeded, UnknownPerson, UnknownRecipient
from wallet.inbox.service import Inbox
from wallet.inbox.store import Limits

TARGET = "http://127.0.0.1:9"


@pytest.fixture
def db(host_db):
    database = Database(host_db[0])
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def person(db):
    account = Accounts(db, scrypt_n=2**10).create("dora", "correct horse battery").account
    return account.inbox_id


def _inbox(db, agent, limits=None):
    store = PgInboxStore(db, limits=limits)
    return Inbox(store, Deliverer(store, post=agent).start())


def test_a_logged_out_person_s_messages_wait_and_are_delivered_once_at_login(db, person):
    agent = FakeAgent()
    face, home = _inbox(db, FakeAgent()), _inbox(db, agent)  # two instances
    try:
        face.register_keys(person, [HOLDER_KID])
        bodies = [envelope() for _ in range(3)]
        for body in bodies:
            assert face.receive(person, body, ENC)
        assert not face.receive(person, reserialised(bodies[0]), ENC)  # the same envelope
        assert face.pending_count(person) == 3 and agent.received == []
        home.register(person, TARGET)  # the person logs in on the other instance
        report = home.deliver_now(person)
        assert report.delivered == 3 and report.remaining == 0
        assert [b for _, b, _ in agent.received] == bodies
        assert not face.receive(person, bodies[1], ENC)  # delivered: never queued again
        assert home.deliver_now(person).delivered == 0
    finally:
        face.close()
        home.close()


def test_unknown_people_and_keys_are_refused_and_quotas_hold(db, person):
    inbox = _inbox(db, FakeAgent(), Limits(per_key_count=2))
    try:
        with pytest.raises(UnknownPerson):
            inbox.receive("x" * 24, envelope(), ENC)
        with pytest.raises(UnknownRecipient):
            inbox.receive(person, envelope(), ENC)
        inbox.register_keys(person, [HOLDER_KID])
        inbox.receive(person, envelope(), ENC)
        inbox.receive(person, envelope(), ENC)
        with pytest.raises(QuotaExceeded):
            inbox.receive(person, envelope(), ENC)
    finally:
        inbox.close()
