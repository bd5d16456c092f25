"""The wallet's own pages, timed over the bench's running holder agent.

The wallet app is built as usual, but its holder service is attached to the agent
the bench already runs instead of starting one, and the page is fetched in process
(Flask's test client), so what is timed is Tessera's page code plus the admin calls
it makes, not a browser.
"""

import logging
import time

from ..holder.service import HolderService
from ..web import create_app
from .measure import percentiles

PASSPHRASE = "bench passphrase, not a secret"  # the bench's throwaway wallet only


class AttachedRunner:
    """A holder-service runner over an agent that is already running."""

    def __init__(self, admin):
        """Hand out `admin` instead of starting an agent."""
        self.admin = admin

    def start(self, passphrase, webhook_url):
        """Return the running agent's admin client."""
        return self.admin

    def stop(self):
        """Leave the agent to whoever started it."""


class WalletPages:
    """The wallet app over the bench's holder, unlocked, ready to be timed."""

    def __init__(self, settings, admin, hub=None):
        """Build the app and set the wallet up (first run) with a throwaway passphrase.

        The bench runs no inbox: the wallet logs a warning about it at every lock and
        unlock, so the wallet logger shows errors only while the bench runs. The agent
        posts its webhooks to the bench's `hub`; the holder's are passed on to the
        wallet's own hub, as if the agent posted them there.
        """
        self.hub = hub
        logging.getLogger("tessera.wallet").setLevel(logging.ERROR)
        self.service = HolderService.for_settings(
            settings,
            runner=AttachedRunner(admin),
            revocation_interval=None,
            timer_interval=None,
            own_inbox=False,
            answer=False,
        )
        self.app = create_app(
            {
                "SETTINGS": settings,
                "HOLDER_SERVICE": self.service,
                "WTF_CSRF_ENABLED": False,
            }
        )
        self.client = self.app.test_client()
        answer = self.client.post("/setup", data={"passphrase": PASSPHRASE, "confirm": PASSPHRASE})
        if answer.status_code != 302:
            raise RuntimeError(f"The bench could not set up the wallet app: {answer.status_code}")
        if hub is not None:
            hub.add_listener(self._forward)

    def _forward(self, event):
        own = self.service.session.hub
        if own is not None and event.role == "holder":
            own.publish(event.role, event.topic, event.payload)

    def time(self, path, runs, clock=time.perf_counter):
        """Return the percentiles (ms) of `runs` fetches of `path`; each must answer 200."""
        samples = []
        for _ in range(runs):
            start = clock()
            answer = self.client.get(path)
            samples.append((clock() - start) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code} during the bench.")
        return percentiles(samples)

    def fill_history(self, total):
        """Append answers until the history holds `total` entries."""
        history = self.service.history
        details = {"revealed": ["nationality"], "predicates": ["proves you are at least 18"]}
        history.extend(
            ("sent", f"Firm {i % 50}", details) for i in range(len(history.entries()), total)
        )

    def close(self):
        """Lock the wallet app (the agent keeps running)."""
        if self.hub is not None:
            self.hub.remove_listener(self._forward)
        self.service.lock()
