"""Connections: list them, read an invitation (link or QR image) before accepting, show ours."""

import io

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import InputError
from ..holder import actions, records
from ..invitations import parse_invitation_url
from .context import agent, service

bp = Blueprint("connections", __name__, url_prefix="/connections")
MAX_QR_PIXELS = 40_000_000  # a 40-megapixel photo; decoding more is refused
STATE_WORDS = {  # ACA-Py's connection states, as the person reads them
    "active": "Connected",
    "completed": "Connected",
    "response": "Connecting",
    "request": "Connecting",
    "invitation": "Waiting for the firm",
    "abandoned": "Failed: connect again",
    "error": "Failed: connect again",
}


def decode_qr(data, max_pixels=MAX_QR_PIXELS):
    """Return the text of the first QR code in image bytes, or raise `InputError`.

    The image's size is read from its header and refused above `max_pixels` before
    anything is decoded (a 2 MiB PNG can unpack to gigabytes).
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    not_image = "That file is not an image; upload a PNG or JPEG of the QR code."
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        image = None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise InputError(not_image) from None
    if image is None or image.width * image.height > max_pixels:
        raise InputError(
            "That image is too large to read; upload a picture of the QR code of at most "
            f"{max_pixels // 1_000_000} megapixels."
        )
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise InputError(not_image) from None
    found = zxingcpp.read_barcodes(image)
    if not found:
        raise InputError("No QR code found in the image; upload a sharper picture.")
    return found[0].text


def _page(**context):
    """Render the connections page: firms in words; the wallet's own unused invitations counted.

    Showing its own invitation makes ACA-Py keep a connection record with no name until a
    firm uses it: a row "(no name), invitation" would mean nothing to the person.
    """
    rows = records.connections(agent())
    unused = [c for c in rows if c["state"] == "invitation" and c["label"] == "(no name)"]
    firms = [
        dict(c, state_words=STATE_WORDS.get(c["state"], "Connecting"))
        for c in rows
        if c not in unused
    ]
    return render_template(
        "connections/index.html", connections=firms, unused=len(unused), **context
    )


@bp.route("/")
def index():
    """List connections."""
    return _page()


@bp.route("/preview", methods=["POST"])
def preview():
    """Show who an invitation is from before accepting it."""
    url = request.form.get("url", "").strip()
    upload = request.files.get("qr")
    try:
        if upload is not None and upload.filename:
            url = decode_qr(upload.read())
        invitation = parse_invitation_url(url, allow_loopback=service().settings.loopback_egress)
    except InputError as exc:
        return _page(error=str(exc), url=url), 400
    return render_template("connections/preview.html", invitation=invitation, url=url)


@bp.route("/accept", methods=["POST"])
def accept():
    """Accept an invitation the person has read."""
    invitation, _, pres_ex_id = actions.receive_invitation(
        agent(), request.form.get("url", ""), allow_loopback=service().settings.loopback_egress
    )
    if pres_ex_id is not None:
        flash(f"{invitation.label} asks you to prove something. Nothing leaves until you approve.")
        return redirect(url_for("requests.show", pres_ex_id=pres_ex_id))
    flash(f"Connecting to {invitation.label}.")
    return redirect(url_for("connections.index"))


@bp.route("/invitation", methods=["POST"])
def invitation():
    """Create and show this wallet's own invitation as a QR code and a link."""
    url = actions.own_invitation(agent())
    svg = segno.make(url, error="m").svg_inline(scale=3, title="Wallet invitation")
    return render_template("connections/invitation.html", url=url, qr=svg)
