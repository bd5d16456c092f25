"""The whole story, headless: publish, connect, issue, request, present, verify.

Used by `tessera scenario`, `tessera demo` and the end-to-end tests; each step is a
plain function so a test can stop between steps (to tamper with something, say).
"""

import datetime
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .agent.handle import Agent
from .errors import InputError
from .flows import connect, held, issue, present
from .schemas import load_all

DEMO_PERSON = Path(__file__).resolve().parents[1] / "demo" / "data" / "alice.json"
IDENTITY, INCOME = "national_id", "employment_income"


@dataclass
class World:
    """Three agents and what the issuer has published."""

    issuer: Agent
    holder: Agent
    verifier: Agent
    schemas: dict
    issuer_did: str = ""
    schema_ids: dict = field(default_factory=dict)
    cred_defs: dict = field(default_factory=dict)
    issuer_conn: str = ""
    verifier_conn: str = ""
    holder_conns: dict = field(default_factory=dict)  # the holder's side, by firm role


def make_world(deployment, hub=None, schemas=None):
    """Return a `World` over the deployment's three agents (already running)."""
    issuer, holder, verifier = (
        Agent(role, deployment.admin(role), hub) for role in ("issuer", "holder", "verifier")
    )
    return World(issuer, holder, verifier, schemas if schemas is not None else load_all())


def seed_issuer(world, revocation=False):
    """Publish every schema and create its credential definition (reusing existing ones)."""
    world.issuer_did = issue.issuer_id(world.issuer)
    for name, schema in world.schemas.items():
        schema_id = issue.publish_schema(world.issuer, world.issuer_did, schema)
        world.schema_ids[name] = schema_id
        world.cred_defs[name] = issue.create_cred_def(
            world.issuer, world.issuer_did, schema_id, revocation=revocation
        )


def connect_holder(world):
    """Connect the holder to the issuer and to the verifier."""
    world.issuer_conn, world.holder_conns["issuer"] = connect.connect(world.issuer, world.holder)
    world.verifier_conn, world.holder_conns["verifier"] = connect.connect(
        world.verifier, world.holder
    )


def issue_person(world, person):
    """Issue the person's credentials (schema name -> values); return holder cred ids."""
    return {
        name: issue.issue(
            world.issuer,
            world.holder,
            world.issuer_conn,
            world.cred_defs[name],
            world.schemas[name],
            values,
        )
        for name, values in person.items()
        if name in world.schemas
    }


def years_before(today, years):
    """Return the date `years` before `today` (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def age_income_request(cred_defs, today, min_age=18, min_income=30000):
    """Nationality revealed; age >= `min_age` and income >= `min_income` as predicates."""
    born_by = years_before(today, min_age)
    dateint = born_by.year * 10000 + born_by.month * 100 + born_by.day
    identity = [{"cred_def_id": cred_defs[IDENTITY]}]
    income = [{"cred_def_id": cred_defs[INCOME]}]
    return {
        "name": "Age, nationality and income check",
        "version": "1.0",
        "requested_attributes": {
            "nationality": {"name": "nationality", "restrictions": identity},
        },
        "requested_predicates": {
            "adult": {
                "name": "birthdate_dateint",
                "p_type": "<=",
                "p_value": dateint,
                "restrictions": identity,
            },
            "income": {
                "name": "annual_income",
                "p_type": ">=",
                "p_value": min_income,
                "restrictions": income,
            },
        },
    }


def prove(world, proof_request, timeout=60.0):
    """Verifier asks, holder answers with usable credentials, verifier verifies."""
    pres_ex_id, thread_id = present.request_proof(
        world.verifier, world.verifier_conn, proof_request
    )
    record = present.wait_request(world.holder, thread_id, timeout=timeout)
    present.present(world.holder, record, timeout=timeout)
    return present.wait_verified(world.verifier, pres_ex_id, timeout=timeout)


def encoded(raw):
    """Return the AnonCreds encoding of a raw value (integers encode as themselves)."""
    text = str(raw)
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is not None and -(2**31) <= number < 2**31:
        return str(number)
    return str(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big"))


def leaked(found, held, revealed):
    """Return names of unrevealed attributes whose raw or encoded value stands in `found`.

    `found` is text, or a verifier's exchange record (searched without the request
    the verifier wrote itself: its thresholds are not the holder's data). `held` is a
    set of (name, raw value) pairs; `revealed` maps names to raw values. A value must
    stand alone (not inside a longer number or word): proofs are full of long
    numbers, and a short value would otherwise match by chance. A value equal to a
    revealed value (a country revealed as nationality that is also the unrevealed
    country of residence) cannot be told apart and is not counted.
    """
    text = found if isinstance(found, str) else json.dumps(_without_request(found))
    shown = set(revealed.values())
    hits = set()
    for name, value in held:
        if name in revealed or value in shown:
            continue
        for needle in {str(value), encoded(value)}:
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(needle)}(?![A-Za-z0-9])", text):
                hits.add(name)
    return sorted(hits)


def _without_request(record):
    """Return a copy of an exchange record without the proof request in it."""
    copy = {k: v for k, v in record.items() if k != "pres_request"}
    if isinstance(record.get("by_format"), dict):
        copy["by_format"] = {k: v for k, v in record["by_format"].items() if k != "pres_request"}
    return copy


def holder_attributes(holder):
    """Return the set of (attribute name, raw value) over every credential the holder stores."""
    return {
        (name, value)
        for cred in held.credentials(holder)
        for name, value in (cred.get("attrs") or {}).items()
    }


@dataclass
class Report:
    """The outcome of `run`, printable as the JSON `tessera scenario --json` promises."""

    verified: bool
    revealed: dict
    predicates: list
    not_disclosed: list
    leaked: list
    timings_ms: dict

    @property
    def ok(self):
        """Return True when the proof verified and nothing unrevealed reached the verifier."""
        return self.verified and not self.leaked

    def to_json(self):
        """Return the report as a JSON-ready dict."""
        return {
            "verified": self.verified,
            "revealed": self.revealed,
            "predicates": self.predicates,
            "not_disclosed": self.not_disclosed,
            "leaked": self.leaked,
            "timings_ms": self.timings_ms,
        }


class Stopwatch:
    """Time named steps in milliseconds."""

    def __init__(self, clock=time.perf_counter):
        """Start with no steps."""
        self.clock = clock
        self.timings = {}

    def step(self, name, func, *args, **kwargs):
        """Run `func`, record its duration under `name`, return its result."""
        start = self.clock()
        try:
            return func(*args, **kwargs)
        finally:
            self.timings[name] = round((self.clock() - start) * 1000, 1)


def run(world, person, today=None, min_income=30000, watch=None):
    """Run the story on running agents and return a `Report`."""
    today = today or datetime.date.today()
    watch = watch or Stopwatch()
    watch.step("publish", seed_issuer, world)
    watch.step("connect", connect_holder, world)
    watch.step("issue", issue_person, world, person)
    request = age_income_request(world.cred_defs, today, min_income=min_income)
    result = watch.step("prove", prove, world, request)
    held = holder_attributes(world.holder)
    return Report(
        verified=result.verified,
        revealed=result.revealed,
        predicates=sorted(p["name"] for p in result.predicates),
        not_disclosed=sorted({name for name, _ in held} - set(result.revealed)),
        leaked=leaked(result.record, held, result.revealed),
        timings_ms=watch.timings,
    )


def load_person(path=DEMO_PERSON):
    """Read a person's demo data: {schema name: {attribute: value}}."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"Cannot read the person's data from {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) for k, v in data.items() if not k.startswith("_")
    ):
        raise InputError(f"{path} must map schema names to attribute values.")
    return {k: v for k, v in data.items() if not k.startswith("_")}
