"""The verifier console: proof request templates, sending requests, reading results."""

import dataclasses
import json
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from ..errors import AgentError, ConfigError, FlowError, InputError, UnreadableFormat
from ..flows import anoncreds, present
from ..flows.negotiation import offer_terms
from ..flows.oob import create_oob_request
from ..flows.registry_check import presented_ids, untrusted
from ..flows.revocation import non_revoked
from ..receipts.vocabulary import LEGAL_BASES, PURPOSES
from . import compose_form, firm_terms, redrive, request_templates, results, terms_form, trust
from .common import agent, connections, qr_data_uri, schemas

bp = Blueprint("verifier", __name__, url_prefix="/verifier")
LONG_POLL = 20.0
WAKE_TOPICS = ("present_proof_v2_0", "tessera_terms")


def _dirs():
    return [current_app.config["REQUESTS_DIR"], current_app.config["CUSTOM_REQUESTS_DIR"]]


def templates():
    """Return ({key: Template}, [TemplateFileError]) from the template directories."""
    return request_templates.load_all(_dirs(), schemas())


def _template_or_404(key):
    found, problems = templates()
    if key in found:
        return found[key]
    for problem in problems:
        if problem.path.endswith(f"/{key}.json"):
            raise problem
    abort(404)


def trusted():
    """Return {schema name: [cred def ids]} the verifier accepts now."""
    return trust.trusted_cred_defs(agent(), current_app.extensions["tessera"]["trust"])


def schema_by_cred_def(cred_def_ids):
    """Return {cred def id: schema name}, resolved once per id through the verifier's agent.

    An id the registry cannot resolve (a request may name any id) maps to "" and its
    items show without a schema, instead of the page failing; a dead agent still fails.
    """
    cache = current_app.extensions["tessera"].setdefault("cred_def_schema", {})
    unresolved = {}
    for cred_def_id in cred_def_ids:
        if cred_def_id not in cache:
            try:
                cache[cred_def_id] = anoncreds.schema_of(agent(), cred_def_id)
            except AgentError as exc:
                if exc.status is None:
                    raise
                current_app.logger.warning("Cannot resolve %s: %s", cred_def_id, exc)
                unresolved[cred_def_id] = ""
    return {**cache, **unresolved}


def _thresholds(template, form):
    values, errors = {}, {}
    for i, pred in enumerate(template.predicates):
        raw = form.get(f"threshold_{i}")
        if raw is None:
            continue
        try:
            low, high = (0, 150) if pred.years is not None else (-(2**31), 2**31 - 1)
            values[i] = compose_form.parse_int(raw, low, high)
        except InputError as exc:
            errors[f"threshold_{i}"] = str(exc)
    return values, errors


def _preview(template, thresholds=None):
    """Return (proof request or None, error message) with today's trust and clock."""
    try:
        restrictions = trust.restrictions_for(trusted(), template.issuers)
        today = current_app.config["CLOCK"]()
        proof_request = request_templates.to_proof_request(
            template, restrictions, today, thresholds
        )
        return proof_request, ""
    except ConfigError as exc:
        return None, str(exc)


@bp.get("/")
def index():
    """List request templates (and broken template files) and recent results."""
    found, problems = templates()
    seen = _records()
    return render_template(
        "verifier/index.html",
        templates=found.values(),
        problems=problems,
        results=seen[:10],
        proposals=[r for r in seen if r.proposal],
        schemas=schemas(),
    )


def _render_send(template, form=None, errors=None, status=200):
    active = [c for c in connections() if c.active]
    thresholds, _ = _thresholds(template, form or {})
    proof_request, trust_error = _preview(template, thresholds)
    page = render_template(
        "verifier/send.html",
        template=template,
        schemas=schemas(),
        connections=active,
        form=form or MultiDict(),
        errors=errors or {},
        preview=json.dumps(proof_request, indent=2) if proof_request else "",
        trust_error=trust_error,
        purposes=PURPOSES,
        legal_bases=LEGAL_BASES,
        terms_defaults=terms_form.DEFAULTS,
        fresh=form is None,
    )
    return page, status


@bp.get("/requests/<key>")
def send_page(key):
    """Show a template with the form to send it."""
    return _render_send(_template_or_404(key))


@bp.post("/requests/<key>")
def send(key):
    """Send the request to a connection, or show it as a connectionless QR code."""
    template = _template_or_404(key)
    thresholds, errors = _thresholds(template, request.form)
    mode = request.form.get("mode", "connection")
    connection_id = request.form.get("connection_id", "")
    active = {c.connection_id for c in connections() if c.active}
    if mode == "connection" and connection_id not in active:
        errors["connection_id"] = "Pick an active connection, or use the QR code instead."
    if mode not in ("connection", "oob"):
        errors["mode"] = "Choose how to send the request."
    # A QR code carries no terms: a box the page ticked does not stop one, the firm's does.
    if mode == "oob" and request.form.get("terms_by_default") == "on":
        terms, terms_errors = None, {}
    else:
        terms, terms_errors = terms_form.parse(request.form)
    errors.update(terms_errors)
    if terms is not None and mode == "oob":
        errors["state_terms"] = (
            "A request shown as a QR code has no connection to carry terms: untick "
            "'State terms with this request', or send the request to a connection."
        )
    if errors:
        return _render_send(template, request.form, errors, 400)
    restrictions = trust.restrictions_for(trusted(), template.issuers)
    today = current_app.config["CLOCK"]()
    proof_request = request_templates.to_proof_request(template, restrictions, today, thresholds)
    if request.form.get("non_revoked") == "on":
        proof_request = non_revoked(proof_request, current_app.config.get("NOW", time.time)())
    if mode == "connection":
        pres_ex_id, thread_id = present.request_proof(agent(), connection_id, proof_request)
        if terms is not None:
            firm_key = firm_terms.keys().for_connection(connection_id).did
            offer_terms(agent(), connection_id, terms, firm_key, thread_id)
        return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))
    created = create_oob_request(agent(), proof_request)
    return render_template(
        "verifier/oob.html",
        template=template,
        url=created.url,
        qr=qr_data_uri(created.url),
        pres_ex_id=created.pres_ex_id,
    )


def _trusted_issuers():
    """Return the issuer ids this console trusts (choices for a request's restrictions)."""
    return list(current_app.config.get("TRUSTED_ISSUERS") or ())


@bp.route("/compose", methods=["GET", "POST"])
def compose():
    """Compose a new request template and save it to the console's data directory."""
    errors, form = {}, MultiDict()
    if request.method == "POST":
        form = request.form
        template, errors = compose_form.parse(form, schemas(), _trusted_issuers())
        if template is not None:
            try:
                request_templates.save_template(template, current_app.config["CUSTOM_REQUESTS_DIR"])
            except InputError as exc:
                errors["name"] = str(exc)
            else:
                return redirect(url_for("verifier.send_page", key=template.key))
    page = render_template(
        "verifier/compose.html",
        choices=compose_form.choices(schemas()),
        issuers=_trusted_issuers(),
        rows=range(compose_form.ROWS),
        kinds=compose_form.KINDS,
        form=form,
        errors=errors,
    )
    return page, 400 if errors else 200


# Until a proof is verified, the objects it relies on may turn out unusable (an issuer
# that does not answer, an object tampered with); the result page then says so.
PENDING_CHECK = ("request-sent", "presentation-received")


def _restricted_ids(record):
    try:
        request_ = results.asked_of(record)
    except UnreadableFormat:
        return set()
    return {
        r.get("cred_def_id")
        for kind in ("requested_attributes", "requested_predicates")
        for item in request_.get(kind, {}).values()
        for r in item.get("restrictions") or ()
        if r.get("cred_def_id")
    }


def _view(record):
    return results.describe(record, schemas(), schema_by_cred_def(_restricted_ids(record)))


def _records():
    found = present.records(agent(), role="verifier")
    found.sort(key=lambda r: r.updated_at, reverse=True)
    return [_view(r) for r in found]


@bp.get("/results")
def results_page():
    """List every proof exchange of this verifier."""
    return render_template("verifier/results.html", results=_records())


@bp.get("/results/<uuid:pres_ex_id>")
def result(pres_ex_id):
    """Show one exchange: verified or not, revealed values, predicates, what was not received."""
    record = _record_or_404(pres_ex_id)
    talk = _talk(record)
    view = _view(record)
    if record.state in PENDING_CHECK:  # ACA-Py stops, silently, if it cannot check
        refused = untrusted(agent(), _restricted_ids(record) | presented_ids(record))
        if refused:
            reasons = "; ".join(refused.values())
            view = dataclasses.replace(view, error=f"This proof cannot be checked now: {reasons}")
    waits = redrive.waiting("verifier", record.state, record.updated_at, firm_terms.now())
    return render_template(
        "verifier/result.html", view=view, talk=talk, shown=_shown(record, talk), waiting=waits
    )


def _talk(record):
    if not record.connection_id:
        return None
    return firm_terms.negotiation(agent(), record.connection_id, record.thread_id)


def _shown(record, talk):
    """Return a fingerprint of what the result page shows (it changes when the page would)."""
    terms = (talk.status, talk.answer and talk.answer["body"]["revision"]) if talk else None
    return f"{record.state}|{record.verified}|{terms}"


@bp.get("/results/<uuid:pres_ex_id>/wait")
def wait_result(pres_ex_id):
    """Long poll: answer when the result page would change (`shown`), or after a while."""
    shown = request.args.get("shown", "")
    firm = agent()
    deadline = time.monotonic() + LONG_POLL
    while True:
        seq = firm.hub.seq if firm.hub is not None else None
        record = _record_or_404(pres_ex_id)
        if _shown(record, _talk(record)) != shown:
            return {"changed": True}
        remaining = deadline - time.monotonic()
        if firm.hub is None or remaining <= 0:
            return {"changed": False, "retry_ms": 0 if firm.hub is not None else 2000}
        firm.hub.wait_after(seq, remaining, role=firm.role, topics=WAKE_TOPICS)


def _record_or_404(pres_ex_id):
    try:
        return present.record(agent(), pres_ex_id)
    except AgentError as exc:
        if exc.status == 404:
            abort(404)
        raise


def _proposal_or_404(pres_ex_id):
    record = _record_or_404(pres_ex_id)
    if record.state != "proposal-received":
        raise FlowError("This proposal was already answered; see its result page.")
    return record


@bp.post("/proposals/<uuid:pres_ex_id>/accept")
def accept_proposal(pres_ex_id):
    """Accept the person's smaller request: send exactly the request they proposed.

    The terms stated with the request it replaces go with it (offered first).
    """
    record = _proposal_or_404(pres_ex_id)
    if firm_terms.carry_over(agent(), record) is not None:
        flash("Sent, with the terms of the request the person's smaller answer replaces.")
    present.accept_proposal(agent(), pres_ex_id)
    return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))


@bp.post("/proposals/<uuid:pres_ex_id>/decline")
def decline_proposal(pres_ex_id):
    """Decline the person's proposal with a problem report."""
    _proposal_or_404(pres_ex_id)
    reason = (request.form.get("reason") or "").strip()[:500] or "The firm declined the proposal."
    present.decline(agent(), str(pres_ex_id), reason)
    return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))
