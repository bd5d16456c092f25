"""The one exception hierarchy of Tessera.

Every error Tessera raises on purpose derives from `WalletError`; errors caused by
bad input also derive from `ValueError`. Messages say what the user can do next.
"""


class WalletError(Exception):
    """Base of every error Tessera raises on purpose."""


class InputError(WalletError, ValueError):
    """Input from a person, a file or a firm is malformed or not acceptable."""


class ConfigError(WalletError):
    """Tessera's own configuration or data directory is not usable."""


class SchemaFileError(InputError):
    """A credential schema file is missing or malformed."""

    def __init__(self, path, field, problem):
        """Name the file and the field at fault."""
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f" field '{field}'" if field else ""
        super().__init__(f"{self.path}:{where} {problem}")


class AgentError(WalletError):
    """An ACA-Py admin API call failed (non-2xx answer or no answer)."""

    def __init__(self, method, url, status, body):
        """Keep method, URL, status (None when no answer came) and body."""
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        shown = body if len(body) <= 500 else body[:500] + "..."
        if status is None:
            super().__init__(f"{method} {url}: no answer from the agent ({shown})")
        else:
            super().__init__(f"{method} {url}: HTTP {status}: {shown}")
        answer = "no answer" if status is None else f"HTTP {status}"
        self.public = f"The agent could not do this ({answer}): {shown}".replace(url, "")


def public_message(error, hide=()):
    """Return what a person may read of `error`: no agent admin URL, nor any of `hide`."""
    text = getattr(error, "public", None) or str(error)
    for secret in hide:
        if secret:
            text = text.replace(secret, "(agent)")
    return text


class AgentStartError(WalletError):
    """An agent process could not be started or did not become ready."""


class AgentRestarting(AgentStartError):
    """The wallet's agent died and is being restarted: try again in `retry_after` seconds."""

    def __init__(self, retry_after):
        """Say that the wallet is reconnecting and when to try again."""
        self.retry_after = retry_after
        super().__init__(
            "The wallet is reconnecting to its agent, which stopped and is being restarted. "
            f"Nothing was lost; try again in {retry_after} s."
        )


class AgentGaveUp(AgentStartError):
    """The wallet's agent kept dying and is no longer restarted: lock and unlock."""

    def __init__(self, problem):
        """Keep why it gave up."""
        self.problem = problem
        super().__init__(f"{problem} Lock the wallet and unlock it again to start it anew.")


class WaitTimeout(WalletError):
    """Something awaited did not happen before its deadline."""


class FlowError(WalletError):
    """A protocol flow ended in a state it cannot continue from."""


class UnsatisfiableRequest(FlowError):
    """No credential in the wallet can answer some item of a proof request."""

    def __init__(self, missing):
        """List the referents (and why) that nothing can answer."""
        self.missing = dict(missing)
        items = "; ".join(f"{k}: {v}" for k, v in self.missing.items())
        super().__init__(f"No credential in the wallet can answer: {items}")


class UnreadableFormat(FlowError):
    """A proof exchange carries its request only in formats the wallet cannot read."""

    def __init__(self, pres_ex_id, formats):
        """Keep the exchange id and the formats it does carry (possibly none)."""
        self.pres_ex_id = pres_ex_id
        self.formats = tuple(formats)
        carried = ", ".join(self.formats) or "no format at all"
        super().__init__(
            f"Exchange {pres_ex_id} asks in {carried}; the wallet reads only AnonCreds "
            "requests (anoncreds or indy format). Decline it."
        )


class UntrustedRegistryObject(FlowError):
    """An object a proof needs (schema, credential definition, revocation status) failed its
    integrity check, or cannot be checked now because its issuer's host does not answer."""

    def __init__(self, refused, unreachable=()):
        """Keep {object id: reason}; `unreachable` names the ids whose issuer did not answer."""
        self.refused = dict(refused)
        self.unreachable = frozenset(unreachable) & set(self.refused)
        reasons = "; ".join(self.refused.values())
        if self.unreachable and self.unreachable == set(self.refused):
            message = (
                "Nothing was sent: this firm's credential type cannot be checked right now "
                f"({reasons}). Try again later."
            )
        else:
            message = (
                "Nothing was sent: the registry copy of what this proof needs cannot be "
                f"trusted ({reasons})."
            )
        super().__init__(message)


class RegistryError(WalletError):
    """The AnonCreds registry store failed or holds an object it cannot trust."""


class IntegrityError(RegistryError):
    """A stored registry object fails its integrity check (tampered or corrupt)."""


class NotFound(WalletError, LookupError):
    """No such thing: offer, request, credential, token, receipt, registry object, tails file."""


class WriteConflict(RegistryError):
    """A registry write lost a race with another writer; retry it with fresh state."""


class StorageFull(WalletError):
    """A store refused a write because its quota (files or bytes) is used up."""


class Busy(WalletError):
    """The agents are already serving as much as they can answer in time: try again later."""

    def __init__(self, in_flight, capacity, retry_after):
        """Keep how many exchanges are in flight, how many fit, and when to try again (s)."""
        self.in_flight = in_flight
        self.capacity = capacity
        self.retry_after = retry_after
        super().__init__(
            f"Busy: {in_flight} exchanges in flight, {capacity} can be answered within the "
            f"wait Tessera allows. Nothing was sent; try again in {retry_after:.1f} s."
        )
