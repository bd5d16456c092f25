"""Proof requests: the consent screen, approve exactly what was shown, or decline."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..consent.advisor import revealed_names
from ..consent.reasons import LABELS
from ..errors import InputError, NotFound, UntrustedRegistryObject
from ..flows import present
from ..holder import actions, disclosure, probes, proposals, records, set_aside, terms_view
from ..holder.errors import Changed
from .context import agent, held, now, schemas, service, today, waiting

bp = Blueprint("requests", __name__, url_prefix="/requests")


def form_choices(form):
    """Return ({referent: cred id}, {referent: typed value}) from the consent form."""
    chosen = {k.removeprefix("choice-"): v for k, v in form.items() if k.startswith("choice-")}
    typed = {k.removeprefix("self-"): v for k, v in form.items() if k.startswith("self-")}
    return chosen, typed


def form_together(form):
    """Return ({type key: cred id answering all its items}, {type keys split on purpose})."""
    whole = {k.removeprefix("together-"): v for k, v in form.items() if k.startswith("together-")}
    split = {k.removeprefix("split-") for k, v in form.items() if k.startswith("split-") and v}
    return whole, split


@bp.route("/")
def index():
    """List pending proof requests."""
    holder = agent()
    labels = records.connection_labels(holder)
    pending = []
    for r in records.pending_requests(holder, waiting()):
        aside = set_aside.of(r, schemas(), labels)
        pending.append(
            {
                "pres_ex_id": r.pres_ex_id,
                "who": labels.get(r.connection_id, "(unknown firm)"),
                "name": aside.name if aside else present.request_name(r),
                "created_at": r.created_at,
                "set_aside": aside,
            }
        )
    sent = proposals.recent(holder, labels, now(), waiting())
    return render_template("requests/index.html", pending=pending, proposals=sent)


def _set_aside_page(item, error=None, status=200):
    page = render_template("requests/set_aside.html", item=item, error=error, reasons=LABELS)
    return page, status


def counter_choices(form):
    """Return ({name: keep|prove|drop}, {name: threshold}) from the counter-proposal form."""
    choices = {k.removeprefix("keep-"): v for k, v in form.items() if k.startswith("keep-")}
    limits = {
        k.removeprefix("threshold-"): v for k, v in form.items() if k.startswith("threshold-")
    }
    return choices, limits


def _consent_page(pres_ex_id, error=None, status=200):
    screen = actions.consent_screen(service(), agent(), schemas(), pres_ex_id, today(), held())
    if isinstance(screen, set_aside.SetAside):
        return _set_aside_page(screen, error, status)
    view, request_, advice, terms = screen.view, screen.request, screen.advice, screen.terms
    page = render_template(
        "requests/consent.html",
        view=view,
        digest=disclosure.digest(view),
        error=error,
        advice=advice,
        suggested={s.name: s for s in advice.suggestions},
        asked=list(dict.fromkeys(name for _, name in revealed_names(request_))),
        labels={a.name: a.label for s in schemas().values() for a in s.attributes},
        reasons=LABELS,
        connected=bool(screen.record.connection_id),
        terms=terms,
        warnings=screen.warnings,
        conditions=[(c, labels_of(c.name)) for c in view.conditions],
    )
    return page, status


def labels_of(name):
    """Return an attribute's label from the schemas, or None."""
    return next((a.label for s in schemas().values() for a in s.attributes if a.name == name), None)


@bp.route("/<pres_ex_id>")
def show(pres_ex_id):
    """The consent screen; once answered (Back after approving, say), what became of it."""
    try:
        return _consent_page(pres_ex_id)
    except NotFound:
        record = records.finished_request(agent(), pres_ex_id)
        if record is None:
            raise
    who = records.connection_labels(agent()).get(record.connection_id, "The firm")
    return render_template(
        "requests/finished.html",
        record=record,
        who=who,
        name=present.request_name(record),
        declined_by_you=(record.error_msg or "").startswith(proposals.OWN_REPORT),
        reason=proposals.firm_words(record.error_msg),
    )


def _free_page(pres_ex_id, pending):
    """The separate step before a free send: the firm has not agreed to the person's price."""
    carried = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "free")]
    page = render_template(
        "requests/free.html",
        pres_ex_id=pres_ex_id,
        message=str(pending),
        terms=pending.terms,
        carried=carried,
    )
    return page, 200  # a step the person takes, not a failure


@bp.route("/<pres_ex_id>/approve", methods=["POST"])
def approve(pres_ex_id):
    """Send exactly what the consent screen showed (a free send only once confirmed)."""
    aside = set_aside.find(agent(), schemas(), pres_ex_id)
    if aside is not None:
        return _set_aside_page(aside, "This request cannot be answered; decline it.", 409)
    chosen, typed = form_choices(request.form)
    whole, split = form_together(request.form)
    free = request.form.get("free") == "yes"
    try:
        sent = actions.approve(
            service(),
            schemas(),
            pres_ex_id,
            chosen,
            typed,
            request.form.get("digest", ""),
            today(),
            free=free,
            together=whole,
            split=split,
        )
    except terms_view.TermsPending as exc:
        return _free_page(pres_ex_id, exc)
    except (InputError, Changed) as exc:
        return _consent_page(
            pres_ex_id, error=str(exc), status=409 if isinstance(exc, Changed) else 400
        )
    except UntrustedRegistryObject as exc:  # the issuer's objects cannot be checked or trusted
        return _consent_page(pres_ex_id, error=str(exc), status=409)
    probes.ProbeBook(service().data_dir).told(pres_ex_id)
    done = "Sent. The firm received only what the consent screen listed."
    flash(" ".join([done, *sent["combined"]]))
    return redirect(url_for("history.index"))


@bp.route("/<pres_ex_id>/decline", methods=["POST"])
def decline(pres_ex_id):
    """Decline with a reason picked from the list, plus free text (only from its button)."""
    aside = set_aside.find(agent(), schemas(), pres_ex_id)
    if aside is None and request.form.get("enter"):  # Enter in the form, not the Decline button
        return _consent_page(
            pres_ex_id, error="Nothing was declined: press the Decline button to decline."
        )
    try:
        if aside is not None:
            set_aside.decline(
                service(), aside, request.form.get("reason", ""), request.form.get("code", "")
            )
            flash("Declined. Nothing was shared.")
            return redirect(url_for("history.index"))
        actions.decline_request(
            service(), pres_ex_id, request.form.get("reason", ""), request.form.get("code", "")
        )
    except InputError as exc:
        return _consent_page(pres_ex_id, error=str(exc), status=400)
    probes.ProbeBook(service().data_dir).told(pres_ex_id)
    flash("Declined. Nothing was shared.")
    return redirect(url_for("history.index"))


@bp.route("/<pres_ex_id>/counter", methods=["POST"])
def counter(pres_ex_id):
    """Answer with a smaller request: a proposal to the firm; the original is declined."""
    choices, limits = counter_choices(request.form)
    try:
        actions.counter_propose(service(), schemas(), pres_ex_id, choices, limits, today())
    except InputError as exc:
        return _consent_page(pres_ex_id, error=str(exc), status=400)
    flash(
        "Your smaller answer was proposed; nothing was shared yet. If the firm accepts it, "
        "your wallet sends exactly that smaller answer without asking again."
    )
    return redirect(url_for("history.index"))


@bp.post("/<pres_ex_id>/terms")
def terms(pres_ex_id):
    """Answer the firm's offer of terms: accept, reject, or counter with your price."""
    form = request.form
    try:
        decision = actions.answer_terms(
            service(),
            pres_ex_id,
            form.get("decision", ""),
            form.get("amount", ""),
            form.get("currency", ""),
            form.get("reason", ""),
        )
    except InputError as exc:
        return _consent_page(pres_ex_id, error=str(exc), status=400)
    flash(
        {
            "accept": "You accepted the terms. Approve below to send the answer.",
            "reject": "You rejected the terms; the firm may offer others.",
            "counter": "Your price was sent to the firm; it can accept it or not.",
        }[decision]
    )
    return redirect(url_for("requests.show", pres_ex_id=pres_ex_id))
