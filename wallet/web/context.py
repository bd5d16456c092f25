"""What a request handler needs from the app: the holder service, schemas, today's date."""

from flask import current_app


def service():
    """Return the app's `HolderService`."""
    return current_app.extensions["holder_service"]


def agent():
    """Return the running holder `Agent` (raises `Locked` when locked)."""
    return service().require()


def waiting():
    """Return what waits for the person (`holder.waiting.Waiting`), kept from webhooks."""
    return service().waiting


def held():
    """Return the person's credentials by index (`holder.credential_index.HeldCredentials`)."""
    return service().held


def schemas():
    """Return the credential schemas (display labels) keyed by name."""
    return current_app.extensions["schemas"]


def tokens():
    """Return the app's API `TokenStore`."""
    return current_app.extensions["tokens"]


def now():
    """Return the current time (aware) by the app's clock."""
    return current_app.config["WALL_CLOCK"]()


def today():
    """Return today's date by the app's clock."""
    return current_app.config["WALL_CLOCK"]().date()
