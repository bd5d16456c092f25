"""What a peer disclosed to an agent by discover-features (`wallet.speedups.ack_peers`)."""


def disclosed_features(agent, connection_id):
    """The features the peer on `connection_id` disclosed to `agent`, once it answered.

    Polled, not woken by a webhook: ACA-Py emits no event when the answer lands on
    the record its query made.
    """
    found = agent.wait(
        lambda: [
            record
            for record in agent.admin.get("/discover-features-2.0/records")["results"]
            if record.get("connection_id") == connection_id
        ],  # listed whole: asked by connection before the query is made, ACA-Py answers 400
        lambda records: records and records[0].get("disclosures"),
        what="the peer's answer to the discover-features query",
    )
    return found[0]["disclosures"]["disclosures"]
