"""Why the person declines: a reason picked from a short list, plus free text (pure)."""

from ..errors import InputError

MAX_TEXT = 500
REASONS = {
    "too_much": "You asked for more than this needs.",
    "unknown_firm": "I do not know your firm.",
    "price": "The price you offer is not acceptable.",
    "other": "Declined.",
}
LABELS = {
    "too_much": "Too much asked",
    "unknown_firm": "I do not know this firm",
    "price": "Price",
    "other": "Other",
}


def decline_reason(code="", text=""):
    """Return the problem report's description for a picked reason `code` and free `text`.

    Without a code, the free text alone is the reason (or a neutral default). "other"
    needs the text.
    """
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InputError(f"Keep the reason under {MAX_TEXT} characters.")
    code = (code or "").strip()
    if not code:
        return text or "The person declined to share this."
    if code not in REASONS:
        raise InputError(f"Pick a reason: one of {', '.join(REASONS)}.")
    if code == "other":
        if not text:
            raise InputError("You picked 'Other': say why in a few words.")
        return text
    return f"{REASONS[code]} {text}".strip()
