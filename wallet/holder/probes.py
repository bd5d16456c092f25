"""Every predicate each firm has asked, per attribute: what its answers can add up to.

Kept in `asked-predicates.json` (locked, atomic), recorded when a request is read,
answered or not, and marked `told` once the wallet acts on it (the rules approve it,
the person answers or declines it): from then on its outcome, a proof or the failure
to make one, counts as known to the firm. A request left waiting tells nothing, since
leaving it is decided without the hidden value; counting it as known would be wrong
the other way: asking the same question again would then look harmless. A firm is
known by its connection and by its name, so firms sharing a connection, or one firm
using several connections, add up together. `narrowings()` says, for a request, what
answering it would let the firm know (`consent.probing`), on the person's own values.
"""

from pathlib import Path

from .. import durable
from ..consent import probing
from ..flows import present
from ..schemas import dateint_to_date

FILE = "asked-predicates.json"
VERSION = 1
# More distinct predicates than this from one firm on one attribute: never answered alone.
LIMIT = 256
ADVICE = "fix it and move it back; until then every predicate request is left to you."


def _pairs(request):
    """Return [(name, p_type, p_value)] of a checked request's predicates."""
    found = []
    for item in (request.get("requested_predicates") or {}).values():
        if isinstance(item, dict) and item.get("p_type") in probing.P_TYPES:
            value = item.get("p_value")
            if isinstance(value, int) and not isinstance(value, bool):
                found.append((str(item.get("name")), item["p_type"], value))
    return found


class ProbeBook:
    """The predicates asked, in the wallet's data directory."""

    def __init__(self, directory):
        """Use `directory` (the holder's data dir); nothing is read yet."""
        self.path = Path(directory) / FILE

    def ask(self, pres_ex_id, connection_id, firm, request):
        """Record what `request` asks (once per exchange); return {name: earlier pairs}.

        Earlier pairs are the predicates of every other exchange told (acted on), from
        the same connection or the same firm name, read under the same lock as the
        recording.
        """
        asked = _pairs(request)
        names = {name for name, _, _ in asked}
        result = {}

        def change(doc):
            rows = list(doc.get("asked") or [])
            have = {(r["ex"], r["name"], r["p_type"], r["p_value"]) for r in rows}
            for name, p_type, p_value in asked:
                if (pres_ex_id, name, p_type, p_value) in have:
                    continue
                if len(self._matching(rows, connection_id, firm, name)) >= LIMIT:
                    continue  # the firm has asked too much: nothing more is answered alone
                row = {"ex": pres_ex_id, "conn": connection_id or "", "firm": firm or ""}
                row |= {"name": name, "p_type": p_type, "p_value": p_value, "told": False}
                rows.append(row)
            for name in names:
                result[name] = [
                    (r["p_type"], r["p_value"])
                    for r in self._matching(rows, connection_id, firm, name)
                    if r["ex"] != pres_ex_id and r["told"]
                ]
            return {"version": VERSION, "asked": rows}

        if asked:
            durable.private_dir(self.path.parent)
            durable.update_json(self.path, change, missing={}, advice=ADVICE)
        return result

    def told(self, pres_ex_id):
        """Mark an exchange as acted on: its outcome now counts as known to the firm."""

        def change(doc):
            rows = [
                {**r, "told": True} if r["ex"] == pres_ex_id else r for r in doc.get("asked") or []
            ]
            return {"version": VERSION, "asked": rows}

        if durable.exists(self.path):
            durable.update_json(self.path, change, missing={}, advice=ADVICE)

    def earlier(self, connection_id, firm, name, exclude=None, told=True):
        """Return the (p_type, p_value) pairs about `name` the firm was told, but `exclude`.

        `told=False` returns every pair asked, acted on or not.
        """
        doc = durable.read_json(self.path, missing={}, advice=ADVICE)
        rows = self._matching(doc.get("asked") or [], connection_id, firm, name)
        return [
            (r["p_type"], r["p_value"])
            for r in rows
            if r["ex"] != exclude and (r["told"] or not told)
        ]

    @staticmethod
    def _matching(rows, connection_id, firm, name):
        return [
            r
            for r in rows
            if r["name"] == name
            and ((connection_id and r["conn"] == connection_id) or (firm and r["firm"] == firm))
        ]


def kind_of(name, schemas):
    """Return "dateint" for dates, "number" otherwise (by the schema, else by the name)."""
    for schema in (schemas or {}).values():
        if name in schema.attr_names:
            return "dateint" if schema.attribute(name).type == "dateint" else "number"
    return "dateint" if name.endswith("_dateint") else "number"


def label_of(name, schemas):
    """Return the attribute's label ("Date of birth"), else its name in words."""
    for schema in (schemas or {}).values():
        if name in schema.attr_names:
            return schema.attribute(name).label
    return name.replace("_", " ")


def _value(text, kind):
    try:
        value = int(str(text))
        if kind == "dateint":
            dateint_to_date(str(value))
    except ValueError:
        return None
    return value


def narrowings(earlier, request, options, schemas, widths=None):
    """Return [`probing.Narrowing`] per predicate attribute, for each usable credential.

    `earlier` is {name: pairs} (from `ask`), `options` {referent: usable candidates},
    `widths` {name: narrowest width the person's rule allows} (defaults otherwise).
    An attribute told `LIMIT` times is never automatic.
    """
    found = []
    new = {}
    for referent, item in (request.get("requested_predicates") or {}).items():
        new.setdefault(item["name"], []).append((referent, item["p_type"], item["p_value"]))
    for name, asked in new.items():
        kind = kind_of(name, schemas)
        values = {
            value
            for referent, _, _ in asked
            for cand in options.get(referent) or ()
            if (value := _value(cand.attrs.get(name), kind)) is not None
        }
        pairs = [(p_type, p_value) for _, p_type, p_value in asked]
        before = earlier.get(name, [])
        for value in sorted(values):
            found_one = probing.assess(name, kind, before, pairs, value, (widths or {}).get(name))
            if len(before) >= LIMIT:
                found_one = probing.Narrowing(
                    name, kind, found_one.before, found_one.after, False, len(before)
                )
            found.append(found_one)
    return found


def sentence(narrowing, schemas):
    """Say what answering lets the firm know, as the consent screen's warning."""
    words = probing.describe(narrowing.after, narrowing.kind, label_of(narrowing.name, schemas))
    if narrowing.earlier:
        return f"together with its earlier requests, this firm would know {words}"
    return f"answering would let this firm know {words}"


def held_options(agent, record, request):
    """Return {referent: candidates holding the attribute}, whether the predicate holds or not.

    Usable candidates are filtered by the predicate's truth: weighing only those would
    make the decision depend on the hidden value (no candidate when it is false).
    """
    found = present.candidates(agent, record.pres_ex_id, request)
    return {
        referent: [c for c in found if referent in c.referents]
        for referent in request.get("requested_predicates") or {}
    }


def warnings(data_dir, agent, record, request, schemas, who):
    """Return the consent screen's sentences on what answering would let the firm know.

    Reading the request records what it asks (as the rules do when it arrives).
    """
    earlier = ProbeBook(data_dir).ask(record.pres_ex_id, record.connection_id, who, request)
    if not earlier:
        return []
    found = narrowings(earlier, request, held_options(agent, record, request), schemas)
    return list(dict.fromkeys(sentence(n, schemas) for n in found if n.warns))
