"""A verifier asks each peer once whether it ends an exchange without an ack."""

import pytest
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.core.event_bus import Event, EventBus
from acapy_agent.core.goal_code_registry import GoalCodeRegistry
from acapy_agent.protocols.discovery.v2_0.manager import V20DiscoveryMgr
from acapy_agent.protocols.discovery.v2_0.messages.disclosures import Disclosures
from acapy_agent.protocols.discovery.v2_0.messages.queries import Queries, QueryItem
from acapy_agent.protocols.discovery.v2_0.models.discovery_record import (
    V20DiscoveryExchangeRecord,
)
from acapy_agent.protocols.present_proof.v2_0.manager import V20PresManager
from acapy_agent.utils.testing import create_test_profile

from wallet.speedups import ack_peers, acks
from wallet.speedups.ack_peers import GOAL_CODE, Peers

from .samples import pres_request, run

SAYS_SO = {"feature-type": "goal-code", "id": GOAL_CODE}
PRESENT_PROOF = {"feature-type": "protocol", "id": "https://didcomm.org/present-proof/2.0"}
AUTO = {"plugin_config": {"tessera_speedups": {"presentation_ack": "auto"}}}


def disclosures(*items):
    return Disclosures(disclosures=list(items))


@pytest.mark.parametrize(
    ("items", "ends"),
    [
        ([SAYS_SO], True),
        ([PRESENT_PROOF, SAYS_SO], True),
        ([], False),
        ([{"feature-type": "protocol", "id": GOAL_CODE}], False),
        ([{"feature-type": "goal-code", "id": "aries.vc.verify"}], False),
        ([{"feature-type": "goal-code", "id": GOAL_CODE + ".x"}], False),
        (["tessera.present-proof.ends-without-ack"], False),
    ],
)
def test_only_the_goal_code_disclosed_as_one_counts(items, ends):
    assert ack_peers.discloses(disclosures(*items)) is ends
    peers = Peers()
    assert peers.learn("conn-1", disclosures(*items)) is ends
    assert peers.known == {"conn-1": ends}


def asked_queries(monkeypatch):
    """Stand in for ACA-Py's query sending (no peer here); return who was asked what."""
    calls = []

    async def create_and_send_query(
        self, connection_id=None, query_protocol=None, query_goal_code=None
    ):
        calls.append((connection_id, query_goal_code))

    monkeypatch.setattr(V20DiscoveryMgr, "create_and_send_query", create_and_send_query)
    return calls


def with_profile(body, settings=None):
    async def go():
        profile = await create_test_profile(settings=settings)
        try:
            return await body(profile)
        finally:
            await profile.close()

    return run(go())


def test_a_stored_answer_is_read_once_per_connection(monkeypatch):
    asked = asked_queries(monkeypatch)

    async def body(profile):
        answered = disclosures(SAYS_SO)
        record = V20DiscoveryExchangeRecord(connection_id="conn-1", disclosures=answered)
        async with profile.session() as session:
            await record.save(session)
        peers = Peers()
        first = await peers.ends_without_ack(profile, "conn-1")
        async with profile.session() as session:
            await record.delete_record(session)
        return first, await peers.ends_without_ack(profile, "conn-1")

    assert with_profile(body) == (True, True)
    assert asked == []  # answered before: not asked again


@pytest.mark.parametrize("stored", [None, "unanswered"])
def test_a_peer_never_answered_is_asked_once_and_promised_an_ack_meanwhile(monkeypatch, stored):
    asked = asked_queries(monkeypatch)

    async def body(profile):
        if stored:
            queries = Queries(queries=[QueryItem(feature_type="goal-code", match=GOAL_CODE)])
            async with profile.session() as session:
                await V20DiscoveryExchangeRecord(connection_id="conn-1", queries_msg=queries).save(
                    session
                )
        peers = Peers()
        answers = [await peers.ends_without_ack(profile, "conn-1") for _ in range(3)]
        peers.ask(profile, "conn-1")
        for task in list(peers._tasks):
            await task
        return answers

    assert with_profile(body) == [False, False, False]
    assert asked == [("conn-1", GOAL_CODE)]


def test_an_answer_received_is_learned_for_its_connection(speedups):
    async def body(profile):
        peers = Peers()
        profile.context.injector.bind_instance(Peers, peers)
        mgr = V20DiscoveryMgr(profile)
        await mgr.receive_disclose(disclosures(SAYS_SO), connection_id="conn-1")
        await mgr.receive_disclose(disclosures(), connection_id="conn-2")
        return peers.known

    assert with_profile(body) == {"conn-1": True, "conn-2": False}


def test_an_agent_with_the_speedups_discloses_the_goal_code():
    async def body(profile):
        context = InjectionContext()
        context.injector.bind_instance(GoalCodeRegistry, GoalCodeRegistry())
        context.injector.bind_instance(EventBus, EventBus())
        ack_peers.setup(context, wanted=acks.asks_peers)
        profile.context.injector.bind_instance(GoalCodeRegistry, context.inject(GoalCodeRegistry))
        query = Queries(queries=[QueryItem(feature_type="goal-code", match="tessera.*")])
        return (await V20DiscoveryMgr(profile).receive_query(query)).disclosures

    assert with_profile(body) == [SAYS_SO]


@pytest.mark.parametrize(("settings", "asks"), [(AUTO, True), ({}, False)])
def test_a_connection_made_active_is_asked_only_by_an_agent_that_asks(settings, asks):
    async def body(profile):
        peers = Peers()
        peers.ask = lambda profile, connection_id: peers.known.setdefault(connection_id, False)
        profile.context.injector.bind_instance(Peers, peers)
        event = Event("acapy::record::connections::active", {"connection_id": "conn-1"})
        await ack_peers.on_active(profile, event, wanted=acks.asks_peers)
        return peers.known

    assert with_profile(body, settings) == ({"conn-1": False} if asks else {})


@pytest.mark.parametrize(("known", "will_confirm"), [(True, False), (False, True), (None, True)])
def test_in_auto_a_request_promises_an_ack_unless_the_peer_said_it_ends_without(
    speedups, monkeypatch, known, will_confirm
):
    asked_queries(monkeypatch)

    async def body(profile):
        peers = Peers()
        if known is not None:
            peers.known["conn-1"] = known
        profile.context.injector.bind_instance(Peers, peers)
        message = pres_request()
        record = await V20PresManager(profile).create_exchange_for_request("conn-1", message)
        return record.pres_request.will_confirm

    assert with_profile(body, AUTO) is will_confirm
