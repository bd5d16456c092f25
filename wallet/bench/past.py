"""The requests page as the person's past exchanges grow (#21.6).

ACA-Py keeps every exchange record and does not index its state, so a page that
lists the waiting requests reads all of them. Real exchanges take about a second
each; 10,000 would take hours. So the bench answers one real request, then the
bench-only plugin `wallet.bench.fill` (loaded into the bench's holder agent alone,
by restarting it) saves copies of that finished record straight into the agent's
storage under new ids and threads, without webhooks. With one request waiting, the
page is timed, and so is what the page read before #21.6: the listing of the
waiting requests and of the person's proposals (all prover records, twice).
"""

import time
from dataclasses import dataclass

from ..flows import present
from ..holder.waiting import every
from ..webvh.parties import restart_agent
from .measure import percentiles

FILL_PLUGIN = "wallet.bench.fill"


@dataclass(frozen=True)
class WithFill:
    """The agents' options as `inner` makes them, the holder's with the fill plugin."""

    inner: object

    def agent_args(self, role, options):
        """Return `inner`'s options; add the fill plugin to the holder's."""
        options = self.inner.agent_args(role, options) if self.inner is not None else options
        if role == "holder":
            options = {**options, "plugin": [*(options.get("plugin") or []), FILL_PLUGIN]}
        return options


def load_fill(party, hub):
    """Restart the holder's agent (`party`) with the fill plugin loaded."""
    party.deployment.registry = WithFill(party.deployment.registry)
    restart_agent(party, hub)


class PastExchanges:
    """Fill the holder with finished exchanges and time the requests page."""

    def __init__(self, world, pages, request, log):
        """`pages` is the bench's `WalletPages`; `request` one the verifier asks."""
        self.world, self.pages, self.request, self.log = world, pages, request, log
        self.template = None
        self.count = 0  # past exchanges (counted: ACA-Py's paging stops at 1,000 of 10,000)

    def _past(self):
        return [
            r
            for r in every(present.records, self.world.holder, role="prover")
            if r.state in ("presentation-sent", "done", "abandoned")
        ]

    def at(self, total, runs, listing_runs):
        """Fill up to `total` past exchanges, one request waiting; return the timings.

        The listings the page made before are timed `listing_runs` times (0: not timed;
        at 10,000 exchanges each takes minutes, as they read every record).
        """
        world = self.world
        if self.template is None:  # the real ones: few, so one page of a listing holds them
            past = self._past()
            self.template = max(past, key=lambda r: len(str(r.by_format))).pres_ex_id
            self.count = len(past)
        if total > self.count:
            self.log(f"past exchanges: copying up to {total}")
            world.holder.admin.request(
                "POST",
                "/tessera-bench/pres-ex-copies",
                json_body={"pres_ex_id": self.template, "count": total - self.count},
                timeout=600,
            )
            self.count = total
        _, thread_id = present.request_proof(world.verifier, world.verifier_conn, self.request)
        record = present.wait_request(world.holder, thread_id, timeout=60)
        service = self.pages.service
        service.agent.wait(  # as the person would: the live inbox tells once the wallet knows
            lambda: [r.pres_ex_id for r in service.waiting.requests(service.agent)],
            lambda ids: record.pres_ex_id in ids,
            what=f"the wallet to show request {record.pres_ex_id}",
            topics=("present_proof_v2_0",),
            timeout=60,
        )
        try:
            page = self.pages.time("/requests/", runs)
            shown = self.pages.client.get("/requests/").get_data(as_text=True)
            if record.pres_ex_id not in shown:
                raise RuntimeError("The requests page did not show the waiting request.")
            listing = []
            for _ in range(listing_runs):  # as present.requests and proposals.recent asked
                start = time.perf_counter()
                for params in ({"role": "prover", "state": "request-received"}, {"role": "prover"}):
                    world.holder.admin.request(
                        "GET", "/present-proof-2.0/records", params=params, timeout=600
                    )
                listing.append((time.perf_counter() - start) * 1000)
        finally:
            present.decline(world.holder, record.pres_ex_id, "benchmark")
        self.count += 1  # the request declined is one more
        found = {"past_exchanges": self.count, "requests_page_ms": page}
        return {**found, "listing_before_ms": percentiles(listing)} if listing else found
