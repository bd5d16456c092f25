"""End to end: the real wallet anchors its history's head in its agent's Askar store."""

import asyncio
import urllib.parse

import pytest
from aries_askar import Store
from conftest import free_port_offset

from wallet.backup.contents import store_file
from wallet.history.anchor import CATEGORY, KEY_METHOD, RECORD
from wallet.history.log import HistoryError
from wallet.holder.service import HolderService
from wallet.settings import Settings

pytestmark = pytest.mark.e2e
PASSPHRASE = "a long enough passphrase"


def anchored_count(settings):
    """Read the anchor record from the (locked) wallet's store with the passphrase."""

    async def read():
        uri = f"sqlite://{urllib.parse.quote(str(store_file(settings)))}"
        store = await Store.open(uri, KEY_METHOD, PASSPHRASE)
        try:
            async with store.session() as session:
                entry = await session.fetch(CATEGORY, RECORD)
            return entry.value_json["count"]
        finally:
            await store.close()

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(read())
    finally:
        loop.close()


def test_the_wallet_anchors_its_history_in_its_store_and_a_cut_history_is_refused(tmp_path):
    settings = Settings(home=tmp_path, port_offset=free_port_offset(), loopback_egress=True)
    service = HolderService.for_settings(
        settings, scrypt_n=2**10, revocation_interval=None, timer_interval=None, answer=False
    )
    try:
        service.setup(PASSPHRASE, PASSPHRASE)
        service.history.extend([("sent", f"Firm {n}", {}) for n in range(5)])
        path = service.history.path
        service.lock()
        assert anchored_count(settings) == 5
        assert not (path.parent / "history.anchor").exists()  # the store holds it, not a file

        lines = path.read_text().splitlines()
        path.write_text("".join(line + "\n" for line in lines[:-1]))
        service.unlock(PASSPHRASE)
        with pytest.raises(HistoryError, match="ends 1 line"):
            service.history.entries()
    finally:
        service.close()
