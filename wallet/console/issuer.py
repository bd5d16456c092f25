"""The issuer console: publish schemas and credential definitions, issue, revoke."""

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

from ..errors import InputError
from ..flows import anoncreds, revocation
from ..flows import issue as flow
from . import firm_terms, issue_form, redrive, revocations
from .common import agent, connections, schemas
from .jobs import JobBoard

bp = Blueprint("issuer", __name__, url_prefix="/issuer")
TAGS = {False: "default", True: "revocable"}


def jobs() -> JobBoard:
    """Return the app's background job board."""
    from flask import current_app

    return current_app.extensions["tessera"]["jobs"]


def _schema_or_404(name):
    found = schemas().get(name)
    if found is None:
        abort(404)
    return found


@bp.get("/")
def index():
    """List the schemas, what is published for each, and the issuer's id."""
    issuer = agent()
    issuer_did = anoncreds.known_issuer_id(issuer)
    rows = [(s, *anoncreds.published(issuer, issuer_did, s)) for s in schemas().values()]
    return render_template("issuer/index.html", issuer_did=issuer_did, rows=rows)


def _publish(issuer, schema, revocable, registry_size=None):
    def run(job):
        job.steps.append("Finding the issuer's key")
        issuer_did = flow.issuer_id(issuer)
        job.steps.append(f"Publishing schema {schema.name} {schema.version}")
        schema_id = flow.publish_schema(issuer, issuer_did, schema)
        job.steps.append("Generating the credential definition keys (this takes seconds)")
        if revocable:
            job.steps.append("Creating revocation registries and uploading their tails files")
            cred_def_id = revocation.create_revocable_cred_def(
                issuer, issuer_did, schema_id, tag=TAGS[True], registry_size=registry_size
            )
        else:
            cred_def_id = flow.create_cred_def(issuer, issuer_did, schema_id, tag=TAGS[False])
        job.steps.append("Done")
        return {"issuer_id": issuer_did, "schema_id": schema_id, "cred_def_id": cred_def_id}

    return run


@bp.post("/schemas/<name>/publish")
def publish(name):
    """Start publishing a schema and its credential definition in the background."""
    schema = _schema_or_404(name)
    revocation = request.form.get("revocation") == "on"
    issuer = agent()
    if revocation and not anoncreds.has_tails_server(issuer):
        raise InputError(
            "Revocation needs a tails server and this issuer agent has none configured "
            "(tails-server-base-url); publish without revocation."
        )
    size = current_app.config.get("REVOCATION_REGISTRY_SIZE")
    job_id = jobs().submit(f"Publish {schema.label}", _publish(issuer, schema, revocation, size))
    return redirect(url_for("issuer.job_page", job_id=job_id))


@bp.get("/jobs/<job_id>")
def job_page(job_id):
    """Show a background job's progress (static JS polls the JSON status)."""
    job = jobs().get(job_id) or abort(404)
    return render_template("issuer/job.html", job=job)


@bp.get("/jobs/<job_id>.json")
def job_status(job_id):
    """Return a background job's state as JSON."""
    job = jobs().get(job_id)
    if job is None:
        return {"error": "No such job; it may have expired."}, 404
    return job.to_json()


def _issue_choices(issuer, schema):
    active = [c for c in connections() if c.active]
    _, cred_defs = anoncreds.published(issuer, anoncreds.known_issuer_id(issuer), schema)
    return active, cred_defs


@bp.route("/issue/<name>", methods=["GET", "POST"])
def issue(name):
    """Show the issue form for a schema; on POST validate everything, then offer."""
    schema = _schema_or_404(name)
    issuer = agent()
    active, cred_defs = _issue_choices(issuer, schema)
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        values, errors = issue_form.parse(schema, form)
        connection_id = form.get("connection_id", "")
        cred_def_id = form.get("cred_def_id", "")
        if connection_id not in {c.connection_id for c in active}:
            errors["connection_id"] = "Pick an active connection (invite the person first)."
        if cred_def_id not in {c for c, _ in cred_defs}:
            errors["cred_def_id"] = "Pick a credential definition (publish the schema first)."
        if not errors:
            flow.offer_credential(issuer, connection_id, cred_def_id, schema, values)
            flash(f"{schema.label} offered; it is issued once the person accepts.")
            return redirect(url_for("issuer.issued"))
    page = render_template(
        "issuer/issue.html",
        schema=schema,
        fields=issue_form.fields(schema, form, errors),
        connections=active,
        cred_defs=cred_defs,
        chosen={k: form.get(k, "") for k in ("connection_id", "cred_def_id")},
        errors=errors,
    )
    return page, 400 if errors else 200


def _issued_rows(issuer):
    issuer_did = anoncreds.known_issuer_id(issuer)
    by_id = {}
    for schema in schemas().values():
        schema_id, _ = anoncreds.published(issuer, issuer_did, schema)
        if schema_id:
            by_id[schema_id] = schema.label
    records = flow.records(issuer, role="issuer")
    aliases = {c.connection_id: c.alias or c.their_label or "" for c in connections()}
    return revocations.rows(issuer, records, lambda r: by_id.get(r.schema_id, r.schema_id), aliases)


@bp.get("/issued")
def issued():
    """List the credentials offered and issued, with their state and revocation."""
    rows = _issued_rows(agent())
    at = firm_terms.now()
    waits = {r.id: redrive.waiting("issuer", r.state, r.updated, at) for r in rows}
    return render_template("issuer/issued.html", rows=rows, waits=waits)


@bp.route("/revoke", methods=["GET", "POST"])
def revoke():
    """Confirm (GET, ?id=...) then revoke the picked credentials with a reason (POST)."""
    issuer = agent()
    form = request.form if request.method == "POST" else request.args
    picked = revocations.chosen(_issued_rows(issuer), form.getlist("id"))
    if request.method == "GET":
        return render_template("issuer/revoke.html", rows=picked, reason="", error="")
    try:
        reason = revocations.check_reason(form.get("reason"))
    except InputError as exc:
        page = render_template(
            "issuer/revoke.html", rows=picked, reason=form.get("reason", ""), error=str(exc)
        )
        return page, 400
    ids = [r.id for r in picked]
    if len(ids) == 1:
        revocation.revoke(issuer, ids[0], comment=reason)
    else:
        revocation.revoke_many(issuer, ids, comment=reason)
    noun = "credential" if len(ids) == 1 else "credentials"
    flash(f"Revoked {len(ids)} {noun} and published the revocation list once: {reason}")
    return redirect(url_for("issuer.issued"))
