"""What each purpose of the vocabulary normally needs, as data beside `vocabulary.PURPOSES`.

`reveal`: attributes whose raw value the purpose may need; `prove`: attributes a proven
fact about may be needed (a threshold, never the value). Anything a request asks
beyond these is more than the purpose needs. `words` name the purpose in a sentence;
`ongoing` purposes need the values until retention ends, the others once (a check).
Every purpose of the vocabulary has an entry (a test checks it).
"""

from dataclasses import dataclass

NAME = ("given_name", "family_name")


@dataclass(frozen=True)
class Need:
    """What one purpose needs: raw values, facts proven, and how to say the purpose."""

    words: str
    reveal: frozenset
    prove: frozenset
    ongoing: bool = False

    def allows(self, name, proven=False):
        """Return True when the purpose needs `name` (raw, or proven when `proven`)."""
        return name in self.reveal or (proven and name in self.prove)


def _need(words, reveal=(), prove=(), ongoing=False):
    return Need(words, frozenset(reveal), frozenset(prove) | frozenset(reveal), ongoing)


NEEDS = {
    "identity-check": _need(
        "an identity check", (*NAME, "birthdate_dateint", "nationality"), ("birthdate_dateint",)
    ),
    "age-check": _need("an age check", (), ("birthdate_dateint",)),
    "credit-check": _need(
        "a credit check",
        NAME,
        ("annual_income", "employed_since_dateint", "birthdate_dateint"),
    ),
    "employment": _need(
        "an employment check",
        (*NAME, "employer", "job_title"),
        ("employed_since_dateint", "annual_income"),
        ongoing=True,
    ),
    "service-delivery": _need(
        "a delivery", (*NAME, "address_city", "address_country"), ongoing=True
    ),
    "research": _need(
        "research",
        ("nationality", "address_country"),
        ("birthdate_dateint", "annual_income", "employed_since_dateint"),
    ),
    "marketing": _need("marketing", ("address_country",)),
}


def need_of(purpose):
    """Return the `Need` of a purpose code, or None for no purpose or an unknown one."""
    return NEEDS.get(purpose or "")
