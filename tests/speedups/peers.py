"""What a peer disclosed to an agent by discover-features (`wallet.speedups.ack_peers`)."""


def disclosed_features(agent, connection_id):
    """The features the peer on `connection_id` disclosed to `agent`, once it answered.

    Polled, not woken by a webhook: ACA-Py emits no event when the answer lands on
    the record its query made.
    """
    found = agent.wait(
        lambda: agent.admin.get("/discover-features-2.0/records", connection_id=connection_id)[
            "results"
        ],
        lambda records: records and records[0].get("disclosures"),
        what="the peer's answer to the discover-features query",
    )
    return found[0]["disclosures"]["disclosures"]
