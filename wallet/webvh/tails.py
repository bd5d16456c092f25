"""Holders download tails files through the registry's fetcher, not ACA-Py's own download.

ACA-Py 1.7's `AnonCredsRevocation.retrieve_tails` fetches an issuer-chosen URL with no
address check, timeout or size cap. `install()` replaces it, in this agent's process,
with a download under the egress policy and trust anchors of the did:webvh registry:
streamed to a temporary file, its hash checked, then renamed into place.
"""

import logging
import os
import tempfile
from pathlib import Path

from acapy_agent.anoncreds.models.revocation import RevRegDef
from acapy_agent.anoncreds.revocation.revocation import (
    AnonCredsRevocation,
    AnonCredsRevocationError,
)

from ..errors import InputError, RegistryError
from ..tails.digest import TailsHasher, check_tails_hash
from .errors import FetchRefused
from .fetch import Fetcher

LOGGER = logging.getLogger(__name__)


async def download_tails(fetcher: Fetcher, url: str, tails_hash: str, dest, max_bytes: int):
    """Download `url` to `dest` if it hashes to `tails_hash`; leave `dest` as it was otherwise."""
    check_tails_hash(tails_hash)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
    try:
        hasher = TailsHasher()
        with os.fdopen(fd, "wb") as out:

            def sink(chunk: bytes) -> None:
                hasher.update(chunk)
                out.write(chunk)

            await fetcher.stream(url, sink, max_bytes, f"the tails file {tails_hash}")
            out.flush()
            os.fsync(out.fileno())
        if hasher.hexdigest() != tails_hash:
            raise FetchRefused(
                f"The tails file from {url} hashes to {hasher.hexdigest()}, not {tails_hash}; "
                "the issuer's server serves the wrong file"
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def install(fetcher: Fetcher, max_bytes: int) -> None:
    """Make every AnonCredsRevocation in this process download tails through `fetcher`."""

    async def retrieve_tails(self: AnonCredsRevocation, rev_reg_def: RevRegDef) -> str:
        url = rev_reg_def.value.tails_location
        LOGGER.info("Downloading tails file %s from %s", rev_reg_def.value.tails_hash, url)
        try:
            path = await download_tails(
                fetcher,
                url,
                rev_reg_def.value.tails_hash,
                self.get_local_tails_path(rev_reg_def),
                max_bytes,
            )
        except (InputError, RegistryError) as err:
            raise AnonCredsRevocationError(f"Tails file refused: {err}") from err
        except OSError as err:
            raise AnonCredsRevocationError(f"Cannot store the tails file: {err}") from err
        return str(path)

    AnonCredsRevocation.retrieve_tails = retrieve_tails
