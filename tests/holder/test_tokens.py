"""API tokens: every token made at once is kept; only hashes are stored."""

import datetime
import threading

from wallet.holder.tokens import TokenStore

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


def test_twenty_tokens_made_at_once_are_all_kept_and_all_work(tmp_path):
    store = TokenStore(tmp_path / "api-tokens.json", clock=lambda: NOW)
    start = threading.Barrier(20)
    made = []

    def create(i):
        start.wait()
        made.append(store.create(f"script {i}"))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t["name"] for t in store.list()) == sorted(f"script {i}" for i in range(20))
    assert all(store.verify(token) == token_id for token_id, token in made)
    assert not any(token in store.path.read_text() for _, token in made)
