"""The wallet app over a test world's running holder: the person at the real consent screen."""

import contextlib

import httpx

from wallet.holder.service import HolderService
from wallet.settings import Settings
from wallet.web import create_app

from .conftest import PASSPHRASE, Person


class AttachedRunner:
    """Gives the wallet app the world's running holder agent instead of starting one."""

    def __init__(self, world):
        """Forward the world's holder webhooks to the wallet's webhook URL once unlocked."""
        self.world = world
        self.url = None
        world.holder.hub.add_listener(self._forward)

    def _forward(self, event):
        if event.role == "holder" and self.url is not None:
            base, _, key = self.url.partition("#")
            httpx.post(
                f"{base}/topic/{event.topic}/", json=event.payload, headers={"x-api-key": key}
            )

    def start(self, passphrase, webhook_url):
        """Return the running holder's admin client; its webhooks now go to `webhook_url`."""
        self.url = webhook_url
        return self.world.holder.admin

    def stop(self):
        """Stop forwarding; the world owns the agent."""
        self.url = None

    def detach(self):
        """Stop listening to the world's holder."""
        self.world.holder.hub.remove_listener(self._forward)


@contextlib.contextmanager
def attached_wallet(world, home, wall_clock):
    """Yield (person, app, service): the wallet app set up and unlocked over `world`'s holder."""
    runner = AttachedRunner(world)
    service = HolderService.for_settings(
        Settings(home=home, port_offset=world.settings.port_offset, loopback_egress=True),
        runner=runner,
        wall_clock=wall_clock,
        scrypt_n=2**10,
    )
    app = create_app({"HOLDER_SERVICE": service, "SECRET_KEY": "test-only", "TESSERA_HOME": home})
    person = Person(app.test_client())
    try:
        assert person.set_up(PASSPHRASE).status_code == 302
        yield person, app, service
    finally:
        service.lock()
        runner.detach()
