"""Errors of the inbox, each carrying the HTTP status the sender is answered with."""

from ..errors import InputError, WalletError


class InboxError(WalletError):
    """Base of the inbox's errors; `status` is the HTTP answer to the sender."""

    status = 500


class NotAnEnvelope(InboxError, InputError):
    """The body is not a JSON DIDComm encrypted envelope."""

    status = 400


class UnknownPerson(InboxError, LookupError):
    """No inbox with that id exists on this machine."""

    status = 404


class EnvelopeTooLarge(InboxError, InputError):
    """One envelope is larger than the per-message cap."""

    status = 413


class WrongContentType(InboxError, InputError):
    """The request is not a DIDComm envelope by its content type."""

    status = 415


class QuotaExceeded(InboxError):
    """The person's queue is full (count or bytes); nothing queued is dropped for room."""

    status = 507


class StorageFull(InboxError):
    """The disk refused the write (full or out of quota); the queue is intact."""

    status = 507


class StoreFailed(InboxError):
    """The disk failed otherwise (I/O error, read-only); the sender should retry later."""

    status = 503


class Forbidden(InboxError):
    """A control call came without the inbox's control key."""

    status = 403


class UnknownRecipient(InboxError, LookupError):
    """The envelope names none of the recipient keys the person's agent registered."""

    status = 404


class BadRequest(InboxError, InputError):
    """The HTTP request itself is malformed (length, body, control call's JSON)."""

    status = 400


class MethodNotAllowed(InboxError):
    """The route exists but not with this method."""

    status = 405

    def __init__(self, message, allow=("GET", "POST")):
        """Keep the methods the route does take, for the `Allow` header."""
        super().__init__(message)
        self.allow = tuple(allow)


class RequestTimeout(InboxError):
    """The body did not arrive in time: the sender stalled or sent less than it announced."""

    status = 408


class LengthRequired(InboxError):
    """A body came without a Content-Length (chunked bodies are not taken)."""

    status = 411


class Busy(InboxError):
    """Too many connections are open at once; the sender should retry shortly."""

    status = 429
