"""Twenty writers at once on each of the wallet's shared files, as threads and as processes.

Threads are the web app's requests and the rules answering in the background;
processes are two programs on one wallet (the app and a script or CLI). Every writer
starts at one barrier; afterwards every write must be in the file and the file whole.
"""

import datetime
import multiprocessing
import threading

import pytest

from wallet.consent.policy import Shape
from wallet.history import HistoryLog
from wallet.holder import receipt_book
from wallet.holder.rules import RulesFile
from wallet.holder.tokens import TokenStore

WRITERS = 20
WHEN = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)
PASSPHRASE = "a long enough passphrase"
N = 2**10


def history(directory):
    return HistoryLog(directory / "history", PASSPHRASE, clock=lambda: WHEN, scrypt_n=N)


def add_rule(directory, i, shared):
    RulesFile(directory).update(lambda policy: policy.add_shape(Shape(f"rule-{i}", "ask")))


def rules_kept(directory):
    return {s.id for s in RulesFile(directory).load().shapes}, {f"rule-{i}" for i in range(WRITERS)}


def add_token(directory, i, shared):
    TokenStore(directory / "api-tokens.json", clock=lambda: WHEN).create(f"script {i}")


def tokens_kept(directory):
    names = {t["name"] for t in TokenStore(directory / "api-tokens.json").list()}
    return names, {f"script {i}" for i in range(WRITERS)}


def approve_and_link(directory, i, shared):
    """What an approval writes: its history entry, then its receipt's link to that entry.

    Every answer goes to the same firm for the same request in the same second (an
    automatic burst): only the entries' own ids tell them apart.
    """
    log = shared or history(directory)
    entry = log.append("sent", "Bank", request_name="Age check", revealed=["nationality"])
    receipt_book.link(directory, entry, f"receipt-{i}")
    if shared is None:
        log.close()


def approvals_kept(directory):
    log = history(directory)
    links = receipt_book.links(directory)
    linked = {links.get(receipt_book.entry_key(e)) for e in log.entries()}
    log.close()
    return linked, {f"receipt-{i}" for i in range(WRITERS)}


STORES = {
    "rules (disclosure-rules.json)": (add_rule, rules_kept),
    "API tokens (api-tokens.json)": (add_token, tokens_kept),
    "approvals: history line + receipt link": (approve_and_link, approvals_kept),
}


def write_at_barriers(directories, i, start):
    """One writer process: for each store in turn, wait for the others, then write once."""
    for store, directory in directories.items():
        start.wait()
        STORES[store][0](directory, i, None)


def in_threads(store, directory):
    write = STORES[store][0]
    shared = history(directory) if write is approve_and_link else None
    start = threading.Barrier(WRITERS)
    failures = []

    def run(i):
        start.wait()
        try:
            write(directory, i, shared)
        except Exception as exc:  # counted and shown: a writer must never fail
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if shared is not None:
        shared.close()
    return WRITERS - len(failures), failures


@pytest.mark.parametrize("store", list(STORES))
def test_twenty_threads_at_once_keep_every_write(tmp_path, store, figures):
    ok, failures = in_threads(store, tmp_path)
    kept, expected = STORES[store][1](tmp_path)
    figures(f"{store}, threads", WRITERS, WRITERS, ok, len(kept & expected))
    assert failures == []
    assert kept == expected
    assert not [p.name for p in tmp_path.rglob(".tmp-*") if not p.name.endswith(".lock")]


def test_twenty_processes_at_once_keep_every_write(tmp_path, figures):
    """Twenty processes (started once: spawning is slow) write to each store in turn."""
    directories = {store: tmp_path / f"store-{n}" for n, store in enumerate(STORES)}
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WRITERS)
    children = [
        spawn.Process(target=write_at_barriers, args=(directories, i, start))
        for i in range(WRITERS)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    codes = [child.exitcode for child in children]
    for store, directory in directories.items():
        kept, expected = STORES[store][1](directory)
        figures(f"{store}, processes", WRITERS, WRITERS, codes.count(0), len(kept & expected))
        assert kept == expected, store
    assert codes == [0] * WRITERS
    assert not [p.name for p in tmp_path.rglob(".tmp-*") if not p.name.endswith(".lock")]
