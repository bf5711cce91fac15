"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps
make them: six digits from HMAC-SHA1 of the 30-second step since the Unix epoch.

A few lines of the standard library rather than a dependency; the RFC's own test vectors
(Appendix B) check them. ``matching_step`` is the verifier's side: it accepts the step
before and after the current one (a phone's clock a little off), never a step at or
before the last one used (RFC 6238 section 5.2: a code is good once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
#: Steps accepted either side of the current one.
SKEW_STEPS = 1
#: 160 bits, the HMAC-SHA1 block RFC 4226 section 4 recommends for a shared secret.
_SECRET_BYTES = 20
_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret() -> str:
    """A random shared secret in base32, as authenticator apps take it (no padding)."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """The key a base32 secret stands for (spaces and case ignored, padding optional)."""
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226's HOTP value of ``counter`` (dynamic truncation, then ``digits`` digits)."""
    mac = hmac.new(key, struct.pack(">Q", counter), _ALGORITHMS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float) -> int:
    """The time step ``unix_time`` falls in (T in RFC 6238, with T0 = 0)."""
    return int(unix_time // STEP_SECONDS)


def totp(key: bytes, unix_time: float, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """The code an authenticator shows at ``unix_time``."""
    return hotp(key, step_at(unix_time), digits=digits, algorithm=algorithm)


def matching_step(secret: str, code: str, unix_time: float, *, after: int | None) -> int | None:
    """The step whose code ``code`` is, among the current one and ``SKEW_STEPS`` either
    side, if it is later than ``after`` (the last step used); None otherwise."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = secret_bytes(secret)
    now = step_at(unix_time)
    found = None
    # Every candidate is computed and compared in constant time, so the answer's timing
    # does not tell which step (if any) matched.
    for step in range(now - SKEW_STEPS, now + SKEW_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code) and (after is None or step > after):
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from a QR code (Google
    Authenticator's key URI format, which every common app follows)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
         "period": STEP_SECONDS},
        quote_via=quote,
    )  # fmt: skip
    return f"otpauth://totp/{label}?{query}"
