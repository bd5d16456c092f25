"""Errors of the did:webvh registry, all within Tessera's one hierarchy (`wallet.errors`)."""

from ..errors import InputError, IntegrityError, NotFound, RegistryError


class FetchRefused(InputError):
    """A URL, address, redirect or answer was refused by the fetch policy; nothing was used."""


class Unreachable(RegistryError):
    """The issuer's host could not be reached (refused, timed out, TLS failure, HTTP 5xx)."""

    def __init__(self, host, detail):
        """Name the host and say what happened."""
        self.host = host
        super().__init__(
            f"The issuer's host {host} cannot be reached right now ({detail}); "
            "its credential types cannot be checked until it answers again"
        )


class Tampered(IntegrityError):
    """A fetched resource or DID log failed its digest, proof or shape check."""


class Rollback(IntegrityError):
    """A revocation index older than one already seen was served (rollback)."""


class NotPublished(NotFound):
    """The issuer's server has no such resource or DID log (HTTP 404)."""
