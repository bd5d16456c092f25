"""The JSON API under /api/v1/: every wallet action, authorised by a bearer token."""

import dataclasses

from flask import Blueprint, Response, current_app, jsonify, request

from ..consent.policy import parse_policy
from ..earnings import ledger
from ..errors import InputError, NotFound
from ..flows import receipts as flow
from ..holder import (
    actions,
    disclosure,
    probes,
    proposals,
    receipt_book,
    records,
    set_aside,
)
from ..pricing import store
from . import request_json
from .context import agent, held, now, schemas, service, today, tokens, waiting
from .errors import Unauthorized
from .pricing import check_document
from .settings import rules_file

bp = Blueprint("api", __name__)


@bp.before_request
def _authorise():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or tokens().verify(token.strip()) is None:
        raise Unauthorized()
    service().touch()


def _body():
    return request_json.body()


def _object(body, key, shape):
    """Return `body[key]` when it is a JSON object ({} when absent); raise `InputError` else."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"'{key}' must be a JSON object: {shape}.")
    return value


def _text_map(body, key, shape):
    """Return `body[key]` when it maps names to text ({} when absent); raise `InputError` else."""
    value = _object(body, key, shape)
    if not all(isinstance(text, str) for text in value.values()):
        raise InputError(f"'{key}' must map each name to text: {shape}.")
    return value


@bp.get("/connections")
def list_connections():
    """List connections."""
    return jsonify({"results": records.connections(agent())})


@bp.post("/connections")
def receive_invitation():
    """Receive an invitation: {"invitation_url": "..."}; validated before anything is sent.

    A verifier's link carrying a proof request (no connection) answers with the request's
    `pres_ex_id` (and `connection_id` null): read and answer it under /requests.
    """
    invitation, connection_id, pres_ex_id = actions.receive_invitation(
        agent(),
        str(_body().get("invitation_url", "")),
        allow_loopback=service().settings.loopback_egress,
    )
    answer = {"connection_id": connection_id, "label": invitation.label}
    if pres_ex_id is not None:
        answer["pres_ex_id"] = pres_ex_id
    return jsonify(answer), 201


@bp.get("/offers")
def list_offers():
    """List pending credential offers with every attribute value."""
    found = records.offers(agent(), schemas(), waiting())
    return jsonify({"results": [o.to_json() for o in found]})


@bp.post("/offers/<cred_ex_id>/accept")
def accept_offer(cred_ex_id):
    """Accept an offer; answer with the stored credential's id."""
    cred_id = actions.accept_offer(agent(), schemas(), cred_ex_id)
    return jsonify({"cred_id": cred_id})


@bp.post("/offers/<cred_ex_id>/decline")
def decline_offer(cred_ex_id):
    """Decline an offer: {"reason": "..."} (optional)."""
    actions.decline_offer(agent(), schemas(), cred_ex_id, str(_body().get("reason", "")))
    return jsonify({"declined": cred_ex_id})


API_PAGE = 100


def _bounded(name, default, most):
    """Return a non-negative integer query parameter, at most `most`."""
    raw = request.args.get(name, str(default))
    if not raw.isdigit():
        raise InputError(f"'{name}' must be a whole number of 0 or more.")
    return min(int(raw), most)


@bp.get("/credentials")
def list_credentials():
    """List stored credentials newest first: ?offset=0&limit=100 (at most 100), with a total."""
    offset = _bounded("offset", 0, 10**9)
    limit = _bounded("limit", API_PAGE, API_PAGE)
    found, total = records.credentials_page(agent(), schemas(), held(), offset, limit)
    return jsonify(
        {
            "results": [c.to_json() for c in found],
            "total": total,
            "offset": offset,
            "limit": limit,
        }
    )


@bp.get("/credentials/<cred_id>")
def get_credential(cred_id):
    """Read one credential."""
    return jsonify(records.credential(agent(), schemas(), held(), cred_id).to_json())


@bp.delete("/credentials/<cred_id>")
def delete_credential(cred_id):
    """Delete a credential."""
    records.credential(agent(), schemas(), held(), cred_id)
    actions.delete_credential(agent(), cred_id, held())
    return jsonify({"deleted": cred_id})


def _advice_json(advice):
    return {
        "over_asking": advice.over_asking,
        "suggestions": [
            {
                "name": s.name,
                "kind": s.kind,
                "threshold": s.value,
                "unit": s.unit,
                "text": s.sentence(),
            }
            for s in advice.suggestions
        ],
        "purpose": advice.purpose,
        "purpose_judged": bool(advice.purpose),
        "purpose_words": advice.purpose_words,
        "beyond_purpose": [{"name": n, "text": t} for n, t in advice.beyond_purpose],
        "new_attributes": list(advice.new_attributes),
        "first_time": advice.first_time,
        "whole_credentials": list(advice.whole_credentials),
        "unrestricted": list(advice.unrestricted),
        "exposure": advice.original.words,
        "smaller_exposure": advice.smaller.words,
        "smaller_request": advice.smaller_request,
    }


def _view_json(pres_ex_id):
    screen = actions.consent_screen(service(), agent(), schemas(), pres_ex_id, today(), held())
    if isinstance(screen, set_aside.SetAside):
        return screen.to_json()
    view, advice, terms, warnings = screen.view, screen.advice, screen.terms, screen.warnings
    return {
        "pres_ex_id": view.pres_ex_id,
        "from": view.who,
        "name": view.name,
        "answerable": view.answerable,
        "digest": disclosure.digest(view),
        "items": [dataclasses.asdict(i) for i in view.items],
        "together": [
            {**dataclasses.asdict(g), "referents": list(g.referents)} for g in view.together
        ],
        "advice": _advice_json(advice),
        "terms": terms.to_json(),
        "warnings": {
            "narrowing": warnings,
            "conditions": [
                {"referent": c.referent, "name": c.name, "text": c.sentence()}
                for c in view.conditions
            ],
        },
    }


@bp.get("/requests")
def list_requests():
    """List pending proof requests with what each would disclose and the advice on it."""
    holder, labels = agent(), records.connection_labels(agent())
    found = []
    for record in records.pending_requests(holder, waiting()):
        aside = set_aside.of(record, schemas(), labels)
        found.append(aside.to_json() if aside else _view_json(record.pres_ex_id))
    return jsonify({"results": found})


@bp.get("/proposals")
def list_proposals():
    """List the person's smaller answers of the last 30 days: waiting, or declined (why)."""
    holder = agent()
    found = proposals.recent(holder, records.connection_labels(holder), now(), waiting())
    return jsonify({"results": [p.to_json() for p in found]})


@bp.get("/requests/<pres_ex_id>")
def get_request(pres_ex_id):
    """Read what one request would disclose, with the over-asking advice."""
    return jsonify(_view_json(pres_ex_id))


@bp.post("/requests/<pres_ex_id>/approve")
def approve(pres_ex_id):
    """Approve: {"digest": from GET, "chosen": {referent: cred_id}, "self_attested": {...}}.

    Items of one credential type (a group in "together") go from one credential:
    "together": {key: cred_id} picks it; picks in "chosen" that combine credentials of
    one type are refused unless "split": true says the person combines them on purpose.

    While terms are offered but not agreed, add "free": true to send without pay.
    """
    body = _body()
    aside = set_aside.find(agent(), schemas(), pres_ex_id)
    if aside is not None:
        message = "This request was set aside: it cannot be answered, only declined."
        return jsonify({"error": message, "problems": list(aside.problems)}), 409
    digest = body.get("digest")
    if not isinstance(digest, str) or not digest:
        raise InputError("Send the 'digest' of the request (text) as read from GET /requests/<id>.")
    chosen = _text_map(body, "chosen", '{"referent": "credential id"}')
    attested = _text_map(body, "self_attested", '{"referent": "typed value"}')
    free = body.get("free") is True
    whole = _text_map(body, "together", '{"type key": "credential id"}')
    split = body.get("split", False)
    if not isinstance(split, bool):
        raise InputError("'split' must be true (combine credentials of one type) or false.")
    summary = actions.approve(
        service(),
        schemas(),
        pres_ex_id,
        chosen,
        attested,
        digest,
        today(),
        free=free,
        together=whole,
        split=split or (),
    )
    probes.ProbeBook(service().data_dir).told(pres_ex_id)
    return jsonify({"sent": pres_ex_id, **summary})


@bp.post("/requests/<pres_ex_id>/decline")
def decline(pres_ex_id):
    """Decline: {"code": "too_much|unknown_firm|price|other", "reason": "..."} (both optional)."""
    body = _body()
    aside = set_aside.find(agent(), schemas(), pres_ex_id)
    if aside is not None:
        reason = set_aside.decline(
            service(), aside, str(body.get("reason", "")), str(body.get("code", ""))
        )
        return jsonify({"declined": pres_ex_id, "reason": reason})
    reason = actions.decline_request(
        service(), pres_ex_id, str(body.get("reason", "")), str(body.get("code", ""))
    )
    probes.ProbeBook(service().data_dir).told(pres_ex_id)
    return jsonify({"declined": pres_ex_id, "reason": reason})


@bp.post("/requests/<pres_ex_id>/counter")
def counter(pres_ex_id):
    """Propose a smaller answer: {"choices": {name: keep|prove|drop}, "thresholds": {...}}."""
    body = _body()
    choices, limits = body.get("choices") or {}, body.get("thresholds") or {}
    if not isinstance(choices, dict) or not isinstance(limits, dict):
        raise InputError("'choices' and 'thresholds' must be JSON objects keyed by attribute.")
    proposal_id, smaller = actions.counter_propose(
        service(), schemas(), pres_ex_id, choices, limits, today()
    )
    return jsonify({"declined": pres_ex_id, "proposal": proposal_id, "proposed": smaller})


@bp.get("/rules")
def get_rules():
    """Read the person's disclosure rules (the versioned document); 423 while locked."""
    service().require()
    return jsonify(rules_file().load().to_json())


@bp.put("/rules")
def put_rules():
    """Replace the person's disclosure rules with a valid versioned document; 423 while locked."""
    service().require()
    saved = rules_file().save(parse_policy(_rules_shape(_body())))
    return jsonify(saved.to_json())


def _rules_shape(doc):
    """Check the JSON types of a rules document (the values are checked by `parse_policy`)."""
    for key in ("attributes", "firms"):
        _text_map(doc, key, f'{{"name": "choice"}} under \'{key}\'')
    shapes = doc.get("shapes")
    if shapes is not None and not isinstance(shapes, list):
        raise InputError("'shapes' must be a list of shape rules.")
    for index, shape in enumerate(shapes or []):
        where = f"shapes[{index}]"
        if not isinstance(shape, dict):
            raise InputError(f"{where} must be a JSON object with 'id', 'when' and 'then'.")
        if not isinstance(shape.get("id", ""), str) or not isinstance(shape.get("then", ""), str):
            raise InputError(f"{where}: 'id' and 'then' must be text.")
        when = shape.get("when")
        if when is None:
            continue
        if not isinstance(when, dict):
            raise InputError(f"{where}.when must be a JSON object.")
        names = when.get("attributes")
        if names is not None and (
            not isinstance(names, list) or not all(isinstance(n, str) for n in names)
        ):
            raise InputError(f"{where}.when.attributes must be a list of attribute names.")
        if not isinstance(when.get("firm", ""), str):
            raise InputError(f"{where}.when.firm must be text.")
        if not isinstance(when.get("predicates_only", False), bool):
            raise InputError(f"{where}.when.predicates_only must be true or false.")
    return doc


@bp.get("/history")
def history():
    """Read the disclosure history, newest first."""
    service().require()
    entries = [dataclasses.asdict(e) for e in reversed(service().history.entries())]
    return jsonify({"results": entries})


def _now():
    return current_app.config["WALL_CLOCK"]()


@bp.post("/requests/<pres_ex_id>/terms")
def answer_terms(pres_ex_id):
    """Answer the offer of terms: {"decision": "accept|reject|counter", "price": {...}}."""
    body = _body()
    price = body.get("price") or {}
    if not isinstance(price, dict):
        raise InputError('\'price\' must be {"amount": "1.50", "currency": "EUR"}.')
    decision = actions.answer_terms(
        service(),
        pres_ex_id,
        str(body.get("decision", "")),
        str(price.get("amount", "")),
        str(price.get("currency", "")),
        str(body.get("reason", "")),
    )
    return jsonify({"answered": pres_ex_id, "decision": decision})


@bp.get("/prices")
def get_prices():
    """Read the person's price list (amounts as text); 404 while no prices are set."""
    service().require()
    prices = store.load(service().data_dir)
    if prices is None:
        raise NotFound("You have not set any prices: PUT a price list to set them.")
    return jsonify(prices.to_json())


@bp.put("/prices")
def put_prices():
    """Replace the price list with a valid document; amounts must be text, never numbers."""
    service().require()
    saved = check_document(_body())
    store.save(service().data_dir, saved)
    return jsonify(saved.to_json())


@bp.get("/earnings")
def earnings():
    """Read the ledger and its totals; `?format=csv` for the CSV export."""
    entries = flow.ledger(agent())
    if request.args.get("format") == "csv":
        return Response(ledger.to_csv(entries), mimetype="text/csv")

    def totals(found):
        return [
            {"key": key, "currency": cur, "owed": t["owed"].to_json(), "paid": t["paid"].to_json()}
            for (key, cur), t in found.items()
        ]

    return jsonify(
        {
            "results": [
                {
                    "receipt_id": e.receipt_id,
                    "firm": e.party,
                    "connection_id": e.connection_id,
                    "issued_at": e.issued_at,
                    "price": e.price.to_json(),
                    "status": e.status,
                    "paid_at": e.paid_at,
                }
                for e in entries
            ],
            "by_firm": totals(ledger.totals_by_firm(entries)),
            "by_month": totals(ledger.totals_by_month(entries)),
        }
    )


@bp.get("/receipts")
def list_receipts():
    """List the receipts the person signed, with signatures' status and erasure state."""
    return jsonify({"results": [r.to_json() for r in receipt_book.held(agent(), _now())]})


@bp.get("/receipts/<receipt_id>")
def get_receipt(receipt_id):
    """Read one receipt (`receipt` is the file `tessera receipt verify` checks)."""
    return jsonify(receipt_book.one(agent(), receipt_id, _now()).to_json())


@bp.post("/receipts/<receipt_id>/erasure")
def request_erasure(receipt_id):
    """Ask the firm to erase what the receipt covers; answer with the signed request sent."""
    sent = receipt_book.request_erasure(agent(), service().data_dir, receipt_id, _now())
    return jsonify({"requested": receipt_id, "request": sent}), 201


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown_route(unknown):
    """Answer an unknown /api/v1/... path with a JSON 404, never the HTML unlock page."""
    raise NotFound(f"There is no API route /api/v1/{unknown}; see the README's API section.")
