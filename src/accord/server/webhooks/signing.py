"""Webhook signatures: HMAC-SHA256 over the timestamp and the body.

The header ``X-Accord-Signature: t=<unix seconds>,v1=<hex>`` signs ``"<t>.<body>"``, so a
receiver can refuse old or replayed deliveries (``verify_signature``) and a changed body.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Accord-Signature"
#: How old a signature a receiver should still accept.
TOLERANCE_SECONDS = 300


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: bytes, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, at most ``tolerance`` seconds ago."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(
        sign(secret, timestamp, body), f"t={timestamp},v1={fields.get('v1', '')}"
    )
