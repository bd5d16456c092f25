"""The proof request the interop tests ask: nationality revealed, age at least 18 proven."""

from wallet import scenario


def age_and_nationality(cred_defs, today):
    """One revealed attribute and one predicate, both restricted to the identity credential."""
    born_by = scenario.years_before(today, 18)
    identity = [{"cred_def_id": cred_defs[scenario.IDENTITY]}]
    return {
        "name": "Credo age check",
        "version": "1.0",
        "requested_attributes": {
            "nationality": {"name": "nationality", "restrictions": identity},
        },
        "requested_predicates": {
            "adult": {
                "name": "birthdate_dateint",
                "p_type": "<=",
                "p_value": born_by.year * 10000 + born_by.month * 100 + born_by.day,
                "restrictions": identity,
            },
        },
    }
