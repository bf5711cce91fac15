"""Issuers' certificate chains: made to the C2PA profile, checked on import, and accepted
by c2pa itself (signed with, then read as Valid, or Trusted under the issuer's root)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID

from accord.errors import CredentialError
from accord.provenance.certificates import (
    IssuerName,
    SigningChain,
    check_chain,
    issue_chain,
    load_chain,
)

WHO = IssuerName("Electoral Commission", "EC Content Credentials", "GB")
NOW = dt.datetime.now(dt.UTC)
Edit = Callable[[x509.CertificateBuilder], x509.CertificateBuilder]


DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
OFFLINE = {"verify": {"remote_manifest_fetch": False}}


def sign(chain: SigningChain, photo: Path, source_type: str = DIGITAL_CAPTURE) -> bytes:
    """``photo`` signed by c2pa with ``chain``: a created picture of ``source_type``."""
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            alg=chain.algorithm.encode(),
            sign_cert=chain.chain_pem(),
            private_key=chain.key_pem(),
            ta_url=None,
        )
    )
    created = {"action": "c2pa.created", "digitalSourceType": source_type}
    manifest = {
        "claim_generator_info": [{"name": "accord-test", "version": "1"}],
        "title": photo.name,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [created]}}],
    }
    signed = io.BytesIO()
    settings = {**OFFLINE, "builder": {"thumbnail": {"enabled": False}}}
    with c2pa.Builder(manifest, c2pa.Context.from_dict(settings)) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(photo.read_bytes()), signed)
    return signed.getvalue()


def sign_and_read(chain: SigningChain, photo: Path, anchors: bytes | None) -> dict[str, Any]:
    """Sign ``photo`` with c2pa using ``chain``, then read it back; the manifest store."""
    signed = sign(chain, photo)
    reading = {**OFFLINE, **({"trust": {"trust_anchors": anchors.decode()}} if anchors else {})}
    with c2pa.Reader(
        "image/jpeg", io.BytesIO(signed), context=c2pa.Context.from_dict(reading)
    ) as reader:
        store: dict[str, Any] = json.loads(reader.json())
        store["state"] = reader.get_validation_state()
    return store


@pytest.fixture(scope="module")
def photo(corpus: Path) -> Path:
    return corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"


def test_an_issued_chain_is_valid_and_trusted_under_its_root(photo: Path) -> None:
    chain = issue_chain(WHO)
    assert chain.algorithm == "es256"
    assert chain.root is not None
    assert chain.leaf.issuer == chain.root.subject
    untrusted = sign_and_read(chain, photo, anchors=None)
    assert untrusted["state"] == "Valid"
    trusted = sign_and_read(chain, photo, anchors=chain.root_pem())
    assert trusted["state"] == "Trusted"
    active = trusted["manifests"][trusted["active_manifest"]]
    assert active["signature_info"]["issuer"] == "Electoral Commission"
    assert active["signature_info"]["common_name"] == "EC Content Credentials"


def test_an_issued_chain_passes_the_import_check_with_its_root_at_the_end() -> None:
    chain = issue_chain(WHO)
    assert chain.root is not None
    pem = chain.chain_pem() + (chain.root_pem() or b"")
    certificates, key = load_chain(pem, chain.key_pem())
    checked = check_chain(certificates, key)
    assert checked.certificates == chain.certificates  # the root is the anchor, not sent
    assert checked.root == chain.root
    assert check_chain(certificates[:1], key).root is None


def leaf_variant(
    edit: Edit | None = None,
    *,
    key: PrivateKeyTypes | None = None,
    extensions: dict[type[x509.ExtensionType], x509.ExtensionType | None] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[list[x509.Certificate], PrivateKeyTypes]:
    """A leaf like ``issue_chain``'s with some part changed, signed by a fresh root."""
    base = issue_chain(WHO)
    assert base.root is not None
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(base.root.subject)
        .issuer_name(base.root.subject)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = key or ec.generate_private_key(ec.SECP256R1())
    wanted = {type(ext.value): ext for ext in base.leaf.extensions}
    replaced = extensions or {}
    builder = (
        x509.CertificateBuilder()
        .subject_name(base.leaf.subject)
        .issuer_name(root.subject)
        .public_key(leaf_key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
    )
    for kind, extension in wanted.items():
        value = replaced.get(kind, extension.value)
        if kind is x509.AuthorityKeyIdentifier and kind not in replaced:
            value = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
        if value is not None:
            builder = builder.add_extension(value, critical=extension.critical)
    for kind, value in replaced.items():
        if kind not in wanted and value is not None:
            builder = builder.add_extension(value, critical=False)
    if edit is not None:
        builder = edit(builder)
    return [builder.sign(root_key, hashes.SHA256()), root], leaf_key


def usage(**changes: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    return x509.KeyUsage(**{**flags, **changes})


EKU = x509.ExtendedKeyUsage
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "CA leaf": (
        {"extensions": {x509.BasicConstraints: x509.BasicConstraints(ca=True, path_length=None)}},
        "is a CA certificate",
    ),
    "no EKU": ({"extensions": {EKU: None}}, "lacks an extended key usage"),
    "any EKU": (
        {"extensions": {EKU: EKU([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE])}},
        "allows any extended key usage",
    ),
    "timeStamping mixed": (
        {
            "extensions": {
                EKU: EKU([ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.EMAIL_PROTECTION])
            }
        },
        "mixes timeStamping",
    ),
    "serverAuth only": (
        {"extensions": {EKU: EKU([ExtendedKeyUsageOID.SERVER_AUTH])}},
        "no signing usage C2PA accepts",
    ),
    "no AKI": ({"extensions": {x509.AuthorityKeyIdentifier: None}}, "authority key identifier"),
    "no KeyUsage": ({"extensions": {x509.KeyUsage: None}}, "lacks the digitalSignature"),
    "keyEncipherment only": (
        {"extensions": {x509.KeyUsage: usage(key_encipherment=True)}},
        "lacks the digitalSignature",
    ),
    "keyCertSign on a leaf": (
        {"extensions": {x509.KeyUsage: usage(digital_signature=True, key_cert_sign=True)}},
        "keyCertSign",
    ),
    "expired": (
        {"not_before": NOW - dt.timedelta(days=30), "not_after": NOW - dt.timedelta(days=1)},
        "expired on",
    ),
    "not yet valid": ({"not_before": NOW + dt.timedelta(days=2)}, "is not valid before"),
    "RSA-1024": (
        # A weak key on purpose: the check must refuse it.
        {"key": lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024)},  # noqa: S505
        "at least 2048",
    ),
    "secp256k1": ({"key": lambda: ec.generate_private_key(ec.SECP256K1())}, "is not P-256"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_chains_c2pa_would_refuse_are_refused_with_the_rule(case: str) -> None:
    options, reason = REFUSED[case]
    made = {name: value() if callable(value) else value for name, value in options.items()}
    certificates, key = leaf_variant(**made)
    with pytest.raises(CredentialError, match=reason):
        check_chain(certificates, key)


@pytest.mark.parametrize("case", ["no AKI", "serverAuth only", "CA leaf"])
def test_c2pa_itself_refuses_what_the_check_refuses(case: str, photo: Path) -> None:
    certificates, key = leaf_variant(**REFUSED[case][0])
    chain = SigningChain(tuple(certificates[:1]), key, certificates[1])
    with pytest.raises(c2pa.C2paError):
        sign_and_read(chain, photo, anchors=None)


def test_key_and_order_mistakes_are_named() -> None:
    certificates, key = leaf_variant()
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(CredentialError, match="does not belong to the first certificate"):
        check_chain(certificates, other)
    with pytest.raises(CredentialError, match="does not belong"):
        check_chain(list(reversed(certificates)), key)
    chain = issue_chain(WHO)
    with pytest.raises(CredentialError, match="not signed by the next certificate"):
        check_chain([certificates[0], *chain.certificates], key)
    with pytest.raises(CredentialError, match="no certificate"):
        check_chain([], key)


def test_unreadable_pem_is_named() -> None:
    chain = issue_chain(WHO)
    with pytest.raises(CredentialError, match="not PEM certificates"):
        load_chain(b"not a certificate", chain.key_pem())
    with pytest.raises(CredentialError, match="private key cannot be read"):
        load_chain(
            chain.chain_pem(), b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )


def test_issuer_names_are_checked() -> None:
    with pytest.raises(CredentialError, match="two-letter"):
        IssuerName("Org", "Name", "GBR")
    with pytest.raises(CredentialError, match="organization and a common name"):
        IssuerName(" ", "Name")
