"""Issuers' private keys at rest: sealed under the instance's master key.

A sealed key is encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, with a
random salt per key), so an operator can still open it with OpenSSL and the master key if
accord is gone. The database alone never yields a key.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from accord.errors import CredentialError

#: Shorter master keys are refused: they would be the weakest link of every issuer.
MIN_MASTER_KEY_CHARACTERS = 16


def seal_private_key(key: PrivateKeyTypes, master_key: str) -> bytes:
    """``key`` as encrypted PKCS#8 PEM under ``master_key``."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_password(master_key)),
    )


def unseal_private_key(sealed: bytes, master_key: str) -> PrivateKeyTypes:
    """The key ``seal_private_key`` sealed; ``CredentialError`` under another master key."""
    try:
        return serialization.load_pem_private_key(sealed, password=_password(master_key))
    except (ValueError, TypeError):
        msg = "the issuer's private key does not open with this instance's master key"
        raise CredentialError(msg) from None


def _password(master_key: str) -> bytes:
    if len(master_key) < MIN_MASTER_KEY_CHARACTERS:
        msg = f"the master key must have at least {MIN_MASTER_KEY_CHARACTERS} characters"
        raise CredentialError(msg)
    return master_key.encode()
