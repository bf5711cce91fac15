"""Bearer tokens given to people (status links, appeal links) and the short references
they read out (tracking numbers). Only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets

_TOKEN_BYTES = 24
#: Crockford-style: no 0/O or 1/I/L, so a reference read over the phone is not misheard.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference(prefix: str, length: int = 8) -> str:
    """``prefix`` and ``length`` random characters, e.g. ``C-7F3K9Q2M``: about 39 bits at
    8, so guessing one is hopeless and collisions are rare (the unique column catches them)."""
    return prefix + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(length))
