"""The proof request the interop tests ask: nationality revealed, age at least 18 proven."""

from wallet import scenario


def age_and_nationality(cred_defs, today):
    """One revealed attribute and one predicate, both restricted to the identity credential."""
    request = scenario.age_income_request(cred_defs, today)
    del request["requested_predicates"]["income"]
    return {**request, "name": "Credo age check"}
