"""End to end, real holder agent: a wrong passphrase never opens an unlocked wallet (#14.1)."""

import pytest
from conftest import free_port_offset

from wallet.holder.passcheck import FILE
from wallet.holder.service import HolderService
from wallet.settings import Settings
from wallet.web import create_app

from .conftest import PASSPHRASE, Person

pytestmark = pytest.mark.e2e


def test_wrong_passphrase_never_opens_the_real_wallet_and_a_legacy_wallet_gets_a_verifier(
    tmp_path,
):
    settings = Settings(home=tmp_path, port_offset=free_port_offset(), loopback_egress=True)
    service = HolderService.for_settings(settings, scrypt_n=2**10, revocation_interval=None)
    config = {"SETTINGS": settings, "SECRET_KEY": "test-only", "HOLDER_SERVICE": service}
    app = create_app(config)
    owner, attacker = Person(app.test_client()), Person(app.test_client())
    attacker.client.environ_base["REMOTE_ADDR"] = "10.7.7.7"
    try:
        assert owner.set_up().status_code == 302 and service.unlocked
        sid = service.session.session_id

        # The bypass of issue #14: any passphrase used to open the running wallet.
        refused = attacker.post("/unlock", {"passphrase": "an attacker's guess"})
        assert refused.status_code == 401
        assert service.session.session_id == sid
        assert owner.client.get("/credentials/").status_code == 200
        assert attacker.client.get("/credentials/").status_code == 302

        # A wallet from before the verifier: the agent's own check decides, then a verifier.
        assert owner.post("/lock", form_page="/requests/").status_code == 302
        (service.data_dir / FILE).unlink()
        assert owner.post("/unlock", {"passphrase": "not the wallet key"}).status_code == 401
        assert not service.unlocked and not (service.data_dir / FILE).exists()
        assert owner.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
        assert service.unlocked and (service.data_dir / FILE).exists()
        assert attacker.post("/unlock", {"passphrase": "guess again"}).status_code == 401
        assert owner.client.get("/credentials/").status_code == 200
    finally:
        service.close()
