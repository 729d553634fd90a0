"""Keys and certificates for the Teams test fakes, made fresh on this machine.

Nothing here is a secret: every key is generated when a test session starts and thrown
away when it ends.

- :func:`new_signing_key` makes the RSA key a fake Bot Framework OpenID server signs
  tokens with, and :meth:`SigningKey.jwk` gives its public half as a JWK.
- :func:`new_test_pki` makes a throwaway certificate authority and a server certificate
  for ``127.0.0.1``/``localhost`` signed by it, written as PEM files into a directory, so
  an HTTPS fake can serve with them and the client under test can trust ``ca_path``.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key with the ``kid`` that tokens it signs carry in their header."""

    kid: str
    private_key: rsa.RSAPrivateKey
    endorsements: tuple[str, ...] = ("msteams",)
    """The channels the Bot Framework's JWKS says this key may sign for."""

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK, shaped like the entries of the Bot Framework JWKS."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "endorsements": list(self.endorsements),
        }


def new_signing_key(
    kid: str | None = None, *, endorsements: tuple[str, ...] = ("msteams",)
) -> SigningKey:
    """A fresh 2048-bit RSA key (about 50 ms to make), endorsed for ``endorsements``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(
        kid=kid or f"test-{uuid.uuid4().hex[:12]}", private_key=key, endorsements=endorsements
    )


@dataclass(frozen=True)
class TestPki:
    """PEM files of a throwaway CA and of a server certificate it signed."""

    __test__ = False  # not a pytest test class, despite the name

    ca_path: Path
    """The CA certificate: what a client trusts (``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``)."""
    cert_path: Path
    """The server certificate, for ``127.0.0.1``, ``::1`` and ``localhost``."""
    key_path: Path
    """The server certificate's private key (unencrypted)."""


def new_test_pki(directory: Path, *, days: int = 2) -> TestPki:
    """Make a CA and a server certificate for the loopback addresses, in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(minutes=5)
    not_after = now + dt.timedelta(days=days)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "teams-fakes test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                    x509.DNSName("localhost"),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    pki = TestPki(
        ca_path=directory / "ca.pem",
        cert_path=directory / "server.pem",
        key_path=directory / "server.key",
    )
    pki.ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pki.key_path.chmod(0o600)
    return pki
