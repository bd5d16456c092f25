"""A generated secret made by twenty threads at once: one secret, the same for all."""

import threading

from wallet import secrets

WRITERS = 20


def test_twenty_threads_making_one_secret_all_get_the_one_that_stays(tmp_path, figures):
    start = threading.Barrier(WRITERS)
    got = [None] * WRITERS
    failures = []

    def make(i):
        start.wait()
        try:
            got[i] = secrets.load_or_create(tmp_path / "secrets", "admin.key")
        except Exception as exc:  # counted: no writer may fail
            failures.append(exc)

    threads = [threading.Thread(target=make, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = (tmp_path / "secrets" / "admin.key").read_text().strip()
    figures(
        "generated secret (one file, made once)",
        WRITERS,
        WRITERS,
        WRITERS - len(failures),
        got.count(stored),
    )
    assert failures == []
    assert got == [stored] * WRITERS
    assert [p.name for p in (tmp_path / "secrets").iterdir()] == ["admin.key"]
