"""Secrets at rest, sealed under the instance's master key: the database alone never
yields one.

An issuer's private key is encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC,
with a random salt per key), so an operator can still open it with OpenSSL and the master
key if accord is gone. Other secrets (webhooks' HMAC keys) are AES-256-GCM under a key
derived from the master key with scrypt and a random salt.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


_SALT, _NONCE = 16, 12


def seal_secret(secret: bytes, master_key: str) -> bytes:
    """``secret`` encrypted and authenticated under ``master_key``: salt, nonce, ciphertext."""
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    return salt + nonce + AESGCM(_derived(master_key, salt)).encrypt(nonce, secret, None)


def unseal_secret(sealed: bytes, master_key: str) -> bytes:
    """The secret ``seal_secret`` sealed; ``CredentialError`` under another master key."""
    salt, nonce, body = sealed[:_SALT], sealed[_SALT : _SALT + _NONCE], sealed[_SALT + _NONCE :]
    try:
        return AESGCM(_derived(master_key, salt)).decrypt(nonce, body, None)
    except InvalidTag:
        msg = "a sealed secret does not open with this instance's master key"
        raise CredentialError(msg) from None


def _derived(master_key: str, salt: bytes) -> bytes:
    return hashlib.scrypt(_password(master_key), salt=salt, n=2**14, r=8, p=1, dklen=32)


def _password(master_key: str) -> bytes:
    if len(master_key) < MIN_MASTER_KEY_CHARACTERS:
        msg = f"the master key must have at least {MIN_MASTER_KEY_CHARACTERS} characters"
        raise CredentialError(msg)
    return master_key.encode()
