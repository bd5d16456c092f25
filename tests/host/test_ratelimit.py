"""Rate-limit counters in PostgreSQL: shared by every instance, windows by the clock passed in."""

import pytest

from wallet.host.db import Database
from wallet.host.ratelimit import PostgresStorage


@pytest.fixture
def db(host_db):
    database = Database(host_db[0])
    database.migrate()
    yield database
    database.close()


def test_counters_are_shared_and_restart_after_their_window(db):
    now = [1000.0]
    one = PostgresStorage(db=db, clock=lambda: now[0])
    two = PostgresStorage(db=db, clock=lambda: now[0])
    assert [one.incr("login/1.2.3.4", 60) for _ in range(3)] == [1, 2, 3]
    assert two.incr("login/1.2.3.4", 60) == 4 and two.get("login/1.2.3.4") == 4
    assert two.get_expiry("login/1.2.3.4") == 1060.0
    now[0] = 1061.0
    assert one.get("login/1.2.3.4") == 0
    assert one.incr("login/1.2.3.4", 60) == 1
    one.clear("login/1.2.3.4")
    assert two.get("login/1.2.3.4") == 0 and one.check()
