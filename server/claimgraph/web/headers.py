"""The security headers of every answer: what a page may load, no guessing of media types, and no page URL
sent to other sites."""

from __future__ import annotations

from flask import Response

#: What a page may load: only this service's own scripts, styles, images and endpoints; no inline script, no
#: framing, no plugins. Text from the data is escaped by the templates, and this keeps anything that slipped
#: through inert.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def security(response: Response) -> Response:
    """Add the Content-Security-Policy (unless the answer set its own), ``nosniff`` and ``Referrer-Policy:
    same-origin`` to ``response``."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
