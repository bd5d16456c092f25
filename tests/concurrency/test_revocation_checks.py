"""Status checks at once (timer, button, page): every check kept, each revocation told once."""

import threading

from revocation.test_revocation_pure import FakeAdmin, FakeHolder

from wallet.flows import revocation
from wallet.flows.revocation import StatusCache

WRITERS = 20


def at_once(work):
    start = threading.Barrier(WRITERS)
    results = [None] * WRITERS

    def run(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_checks_of_different_credentials_at_once_all_stay_in_the_cache(tmp_path, figures):
    creds = {f"c{i}": "reg" for i in range(WRITERS)}
    holder = FakeHolder(FakeAdmin(creds, {}))
    cache = StatusCache(tmp_path / "status.json")
    at_once(lambda i: revocation.refresh(holder, cache, now=100 + i, cred_ids=[f"c{i}"]))
    saved = cache.load()
    kept = [i for i in range(WRITERS) if saved[f"c{i}"].checked_at == 100 + i]
    figures(
        "revocation status checks (one credential each), threads",
        WRITERS,
        WRITERS,
        WRITERS,
        len(kept),
    )
    assert len(kept) == WRITERS


def test_a_revocation_seen_by_twenty_checks_at_once_is_news_once(tmp_path):
    holder = FakeHolder(FakeAdmin({"gone": "reg", "fine": "reg"}, {"gone": 50}))
    cache = StatusCache(tmp_path / "status.json")
    told = at_once(lambda i: revocation.refresh(holder, cache, now=100)[1])
    assert sorted(cred for news in told for cred in news) == ["gone"]
    assert cache.load()["gone"].revoked and not cache.load()["fine"].revoked
