"""When a firm is breached (pure): what of the person's was there, what it enables, what to do,
and which other firms to ask to erase the same values because they no longer need them."""

from dataclasses import dataclass

from .holdings import by_firm

# What a set of raw values enables together, when all of them leaked: (names, sentence).
# A given name is enough to address the person; the family name only makes it worse.
ENABLES = (
    (
        {"given_name", "birthdate_dateint", "address_city"},
        "name + date of birth + city: enough to pass for you where identity is checked by phone",
    ),
    (
        {"given_name", "birthdate_dateint"},
        "name + date of birth: what many identity checks ask, so accounts opened in your name",
    ),
    (
        {"given_name", "address_city"},
        "name + city: letters, parcels and calls that seem to come from someone who knows you",
    ),
    (
        {"birthdate_dateint", "address_city"},
        "date of birth + city: enough to single you out in most towns",
    ),
    (
        {"employer", "job_title"},
        "employer + job title: messages that pretend to come from your workplace",
    ),
    ({"annual_income"}, "your income: scams and offers tailored to what you earn"),
)
# What to do, by what leaked: (any of these names, advice).
ADVICE = (
    (
        {"birthdate_dateint", "nationality"},
        "Watch for credit or accounts opened in your name; a credit freeze stops most.",
    ),
    (
        {"address_city", "address_country"},
        "Distrust letters and parcels about this firm that you did not expect.",
    ),
    (
        {"employer", "job_title", "annual_income"},
        "Distrust calls and mails that know your job or income and ask you to act fast.",
    ),
    (
        {"given_name", "family_name"},
        "Expect phishing that uses your name: never act on a message that rushes you.",
    ),
)


@dataclass(frozen=True)
class Target:
    """Another firm holding some of the same raw values, and the receipts to erase."""

    firm: str
    shared: tuple  # the raw names it holds that leaked
    receipt_ids: tuple  # erasable receipts covering them (countersigned, never asked)
    past_need: bool  # True: ask by default; False: it still needs them (retention running)

    @property
    def askable(self):
        """Return True when the wallet can send it an erasure request."""
        return bool(self.receipt_ids)


@dataclass(frozen=True)
class BreachPlan:
    """What a breach at `firm` exposed, what it enables, what to do, whom to ask to erase."""

    firm: str
    raw: tuple
    proven_only: tuple
    enables: tuple
    advice: tuple
    targets: tuple

    @property
    def suggested(self):
        """Return the receipt ids the wallet proposes to send erasure requests for."""
        return tuple(r for t in self.targets if t.past_need for r in t.receipt_ids)

    @property
    def askable(self):
        """Return every receipt id the person may choose to ask about."""
        return tuple(r for t in self.targets for r in t.receipt_ids)


def plan(disclosures, firm, now):
    """Return the `BreachPlan` for a breach at `firm`, or None when it never received anything."""
    firms = {f.firm: f for f in by_firm(disclosures)}
    breached = firms.get(firm)
    if breached is None:
        return None
    raw = breached.holds(now) or breached.raw
    leaked = set(raw)
    enables = tuple(words for names, words in ENABLES if names <= leaked)
    advice = tuple(words for names, words in ADVICE if names & leaked)
    advice += ("Change any password you used with this firm, and anywhere you reused it.",)
    targets = []
    for other in firms.values():
        if other.firm == firm:
            continue
        held = [d for d in other.disclosures if d.held_at(now) and leaked & set(d.revealed)]
        if not held:
            continue
        shared = tuple(dict.fromkeys(n for d in held for n in d.revealed if n in leaked))
        receipts = tuple(dict.fromkeys(d.receipt_id for d in held if d.erasable))
        past = all(d.past_need([n for n in d.revealed if n in leaked], now) for d in held)
        targets.append(Target(other.firm, shared, receipts, past))
    return BreachPlan(firm, tuple(raw), breached.proven_only, enables, advice, tuple(targets))
