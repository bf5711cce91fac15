"""Signing certificates c2pa accepts: make a chain for an issuer, or check an imported one.

c2pa-rs enforces the C2PA certificate profile when it signs and when it reads, and tells
only "the certificate is invalid". ``issue_chain`` makes a chain that meets the profile (a
root CA and an end-entity signing certificate, ECDSA P-256); ``check_chain`` names the
rule an imported chain breaks, before anything is stored. The rules, as c2pa-rs 0.91
applies them (``certificate_profile.rs``), are in ``../shared/reference/c2pa.md`` §1.10.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from accord.errors import CredentialError

#: Extended key usages c2pa accepts for a signer. emailProtection is the one its reader
#: accepts without a custom EKU list, so ``issue_chain`` uses it.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
C2PA_CLAIM_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
MICROSOFT_C2PA_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.76.59.1.9")
SIGNING_EKUS = frozenset(
    {
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        DOCUMENT_SIGNING,
        C2PA_CLAIM_SIGNING,
        MICROSOFT_C2PA_SIGNING,
    }
)
#: EKUs c2pa refuses alongside any other.
_LONE_EKUS = frozenset({ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.OCSP_SIGNING})
_CURVES = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
_MIN_RSA_BITS = 2048
_COUNTRY = re.compile(r"[A-Z]{2}")
#: Certificates issued are valid from a little before now, against clock skew.
_BACKDATE = dt.timedelta(hours=1)
ROOT_YEARS = 10
LEAF_YEARS = 2


@dataclass(frozen=True, slots=True)
class IssuerName:
    """Who signs: the organization is what C2PA readers show as the issuer."""

    organization: str
    common_name: str
    #: ISO 3166 two-letter code, or None.
    country: str | None = None

    def __post_init__(self) -> None:
        if not self.organization.strip() or not self.common_name.strip():
            raise CredentialError("an issuer needs an organization and a common name")
        if self.country is not None and not _COUNTRY.fullmatch(self.country):
            raise CredentialError(f"country must be a two-letter code, not {self.country!r}")

    def x509(self, suffix: str = "") -> x509.Name:
        attributes = [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{self.common_name}{suffix}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization),
        ]
        if self.country:
            attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, self.country))
        return x509.Name(attributes)


@dataclass(frozen=True, slots=True)
class SigningChain:
    """An end-entity certificate, the CAs above it, and the end entity's private key."""

    #: End entity first, then intermediates; the root is not sent with signatures.
    certificates: tuple[x509.Certificate, ...]
    key: PrivateKeyTypes
    #: The self-signed root, when known: the trust anchor verifiers need.
    root: x509.Certificate | None

    @property
    def leaf(self) -> x509.Certificate:
        return self.certificates[0]

    @property
    def algorithm(self) -> str:
        """c2pa's name for the signature algorithm this key makes (``es256``...)."""
        return signing_algorithm(self.key)

    def chain_pem(self) -> bytes:
        return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in self.certificates)

    def root_pem(self) -> bytes | None:
        return None if self.root is None else self.root.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM, as c2pa's signer takes it."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def issue_chain(name: IssuerName, *, now: dt.datetime | None = None) -> SigningChain:
    """A new root CA and an end-entity certificate it signed, both ECDSA P-256."""
    now = now or dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name.x509(" Root CA")
    root = (
        _builder(root_name, root_name, root_key, now, years=ROOT_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _builder(name.x509(), root_name, leaf_key, now, years=LEAF_YEARS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    return SigningChain((leaf,), leaf_key, root)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: CertificateIssuerPrivateKeyTypes,
    now: dt.datetime,
    *,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=365 * years))
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def signing_algorithm(key: PrivateKeyTypes) -> str:
    """c2pa's algorithm name for ``key``; ``CredentialError`` for keys c2pa cannot use."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = _CURVES.get(key.curve.name)
        if algorithm is None:
            msg = f"the key's curve {key.curve.name} is not P-256, P-384 or P-521"
            raise CredentialError(msg)
        return algorithm
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _MIN_RSA_BITS:
            msg = f"the RSA key has {key.key_size} bits; C2PA needs at least {_MIN_RSA_BITS}"
            raise CredentialError(msg)
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise CredentialError(f"a {type(key).__name__} key cannot sign C2PA manifests")


def load_chain(
    chain_pem: bytes, key_pem: bytes, *, key_password: bytes | None = None
) -> tuple[list[x509.Certificate], PrivateKeyTypes]:
    """Parse a PEM chain and a PEM private key, with one readable error for each problem."""
    try:
        certificates = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as error:
        raise CredentialError(f"the certificate chain is not PEM certificates: {error}") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=key_password)
    except (ValueError, TypeError) as error:
        raise CredentialError(f"the private key cannot be read: {error}") from None
    return certificates, key


def check_chain(
    certificates: Sequence[x509.Certificate],
    key: PrivateKeyTypes,
    *,
    now: dt.datetime | None = None,
) -> SigningChain:
    """The chain as a ``SigningChain`` if c2pa can sign with it; else the broken rule.

    ``certificates`` start with the end entity; a self-signed root at the end is taken
    as the trust anchor and not sent with signatures.
    """
    if not certificates:
        raise CredentialError("the chain holds no certificate")
    now = now or dt.datetime.now(dt.UTC)
    leaf, *rest = certificates
    algorithm = signing_algorithm(key)
    if key.public_key() != leaf.public_key():
        raise CredentialError("the private key does not belong to the first certificate")
    _check_end_entity(leaf, algorithm)
    for cert in certificates:
        _check_validity(cert, now)
    for child, parent in zip(certificates, rest, strict=False):
        _check_issued_by(child, parent)
    root = rest[-1] if rest and _self_signed(rest[-1]) else None
    sent = tuple(certificates[:-1]) if root is not None else tuple(certificates)
    return SigningChain(sent, key, root)


def _check_end_entity(leaf: x509.Certificate, algorithm: str) -> None:
    subject = leaf.subject.rfc4514_string()
    if leaf.version is not x509.Version.v3:
        raise CredentialError(f"{subject} is not an X.509 version 3 certificate")
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise CredentialError(f"{subject} is a CA certificate; C2PA signs with an end entity")
    usage = _extension(leaf, x509.KeyUsage)
    if usage is None or not usage.digital_signature:
        raise CredentialError(f"{subject} lacks the digitalSignature key usage")
    if usage.key_cert_sign:
        raise CredentialError(f"{subject} may sign certificates (keyCertSign); a signer may not")
    _check_extended_usage(leaf, subject)
    if _extension(leaf, x509.AuthorityKeyIdentifier) is None:
        raise CredentialError(f"{subject} lacks an authority key identifier")
    if algorithm.startswith("es") and not isinstance(leaf.public_key(), ec.EllipticCurvePublicKey):
        raise CredentialError(f"{subject} does not hold an elliptic-curve key")


def _check_extended_usage(leaf: x509.Certificate, subject: str) -> None:
    extended = _extension(leaf, x509.ExtendedKeyUsage)
    if extended is None:
        raise CredentialError(f"{subject} lacks an extended key usage (e.g. emailProtection)")
    usages = set(extended)
    if ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages:
        raise CredentialError(f"{subject} allows any extended key usage; C2PA refuses that")
    if usages & _LONE_EKUS and len(usages) > 1:
        raise CredentialError(f"{subject} mixes timeStamping or OCSPSigning with other usages")
    if not usages & SIGNING_EKUS:
        names = ", ".join(sorted(oid.dotted_string for oid in usages))
        msg = (
            f"{subject} has no signing usage C2PA accepts ({names}); use emailProtection, "
            "documentSigning or C2PA claim signing"
        )
        raise CredentialError(msg)


def _check_validity(cert: x509.Certificate, now: dt.datetime) -> None:
    subject = cert.subject.rfc4514_string()
    if now < cert.not_valid_before_utc:
        raise CredentialError(f"{subject} is not valid before {cert.not_valid_before_utc:%F}")
    if now > cert.not_valid_after_utc:
        raise CredentialError(f"{subject} expired on {cert.not_valid_after_utc:%F}")


def _check_issued_by(child: x509.Certificate, parent: x509.Certificate) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        msg = (
            f"{child.subject.rfc4514_string()} is not signed by the next certificate "
            f"({parent.subject.rfc4514_string()}); give the chain end entity first"
        )
        raise CredentialError(msg) from None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


Extension = TypeVar("Extension", bound=x509.ExtensionType)


def _extension(cert: x509.Certificate, kind: type[Extension]) -> Extension | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def read_trust_anchors(paths: Sequence[Path]) -> tuple[str, ...]:
    """PEM trust anchors from files (such as the C2PA trust list), each checked to hold
    certificates; ``CredentialError`` names a file that does not."""
    anchors = []
    for path in paths:
        try:
            pem = path.read_bytes()
        except OSError as error:
            raise CredentialError(f"trust anchors {path}: {error.strerror or error}") from None
        try:
            x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise CredentialError(f"trust anchors {path}: not PEM certificates") from None
        anchors.append(pem.decode("ascii", errors="replace"))
    return tuple(anchors)
