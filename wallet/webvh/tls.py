"""A local certificate authority for tests and the demo, and the certificates it signs.

Tessera makes it when it starts (`LocalCA.ensure`), keeps its key owner-only, signs the
issuer server's certificate for its host name, and hands a copy of the CA certificate to
the agents it starts (never to the system trust store): only those processes trust it.
A real issuer uses a certificate from a public CA instead and needs none of this.
"""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import ConfigError
from .files import write_durable

CA_DAYS = 3650
SERVER_DAYS = 397
RENEW_BEFORE = datetime.timedelta(days=30)
CA_CERT, CA_KEY = "ca.pem", "ca-key.pem"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tessera local test CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _valid_at(cert: x509.Certificate, now: datetime.datetime) -> bool:
    return cert.not_valid_before_utc <= now and now + RENEW_BEFORE < cert.not_valid_after_utc


@dataclass(frozen=True)
class ServerCert:
    """Where a server's certificate chain and key are written."""

    cert_file: Path
    key_file: Path


class LocalCA:
    """A CA kept in one directory: `ca.pem` (public) and `ca-key.pem` (owner-only)."""

    def __init__(self, directory):
        """Use `directory`; nothing is created until `ensure()`."""
        self.directory = Path(directory)

    @property
    def cert_file(self) -> Path:
        """Return the CA certificate file agents are told to trust."""
        return self.directory / CA_CERT

    def ensure(self, now: datetime.datetime) -> "LocalCA":
        """Create the CA if missing or expiring; return self."""
        try:
            cert = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
            (self.directory / CA_KEY).read_bytes()
            if _valid_at(cert, now):
                return self
        except FileNotFoundError:
            pass
        except ValueError as err:
            raise ConfigError(
                f"{self.cert_file} is not a certificate ({err}); remove {self.directory} "
                "to make a new local CA"
            ) from err
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name("Tessera local test CA")
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        write_durable(self.directory / CA_KEY, _pem_key(key), mode=0o600)
        write_durable(self.cert_file, cert.public_bytes(serialization.Encoding.PEM))
        return self

    def issue_server(self, hosts, directory, now: datetime.datetime) -> ServerCert:
        """Write a server certificate for `hosts` (names or addresses) into `directory`.

        An existing certificate for the same names, signed by this CA and not about to
        expire, is kept.
        """
        hosts = sorted(set(hosts))
        out = ServerCert(Path(directory) / "server.pem", Path(directory) / "server-key.pem")
        ca_cert = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
        if _reusable(out, hosts, ca_cert, now):
            return out
        ca_key = serialization.load_pem_private_key(
            (self.directory / CA_KEY).read_bytes(), password=None
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(hosts[0]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        out.cert_file.parent.mkdir(parents=True, exist_ok=True)
        out.cert_file.parent.chmod(0o700)
        write_durable(out.key_file, _pem_key(key), mode=0o600)
        chain = cert.public_bytes(serialization.Encoding.PEM)
        write_durable(out.cert_file, chain + self.cert_file.read_bytes())
        return out


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _san(host: str):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _reusable(out: ServerCert, hosts, ca_cert, now) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(out.cert_file.read_bytes())
        out.key_file.read_bytes()
    except (FileNotFoundError, ValueError):
        return False
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    listed = sorted(str(n.value) for n in names)
    return listed == hosts and _valid_at(cert, now)
