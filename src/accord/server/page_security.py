"""The headers every server-rendered page carries, and htmx's settings under them."""

from __future__ import annotations

import json

#: Only this origin's files: no inline script or style, no framing, forms post here only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A page describes one person's work; caches must not keep or share it.
    "Cache-Control": "no-store",
    # The same URL answers a whole page or, to htmx, a fragment.
    "Vary": "HX-Request",
}
#: ``/docs``: the same, except that Swagger UI's stylesheet draws its icons as ``data:``
#: images, and "Try it out" shows a picture answer (a signed file) as a ``blob:``.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "img-src 'self'", "img-src 'self' data: blob:"
)
DOCS_SECURITY_HEADERS = {
    "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: htmx must not add its inline indicator style (the policy forbids it) and must swap error
#: answers too: they carry readable messages.
HTMX_CONFIG = json.dumps(
    {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[2345]..", "swap": True, "error": False},
        ],
    }
)
