"""Issuers' private keys sealed under the master key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accord.errors import CredentialError
from accord.provenance.sealing import seal_private_key, unseal_private_key

MASTER = "a master key of some length"


def test_a_sealed_key_opens_with_its_master_key_only() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    sealed = seal_private_key(key, MASTER)
    assert sealed.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    assert raw not in sealed
    opened = unseal_private_key(sealed, MASTER)
    assert isinstance(opened, ec.EllipticCurvePrivateKey)
    assert opened.private_numbers() == key.private_numbers()
    with pytest.raises(CredentialError, match="does not open with this instance's master key"):
        unseal_private_key(sealed, MASTER + "!")


def test_openssl_compatible_pkcs8_and_short_master_keys_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    sealed = seal_private_key(key, MASTER)
    # Standard encrypted PKCS#8: any tool that knows the password opens it.
    assert serialization.load_pem_private_key(sealed, password=MASTER.encode()) is not None
    with pytest.raises(CredentialError, match="at least 16 characters"):
        seal_private_key(key, "short")
