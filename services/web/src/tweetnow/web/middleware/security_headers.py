"""Middleware: the browser-facing security headers, on every response.

The pages load scripts, styles and images only from this origin and never run
inline script; no other site may frame them; links out to X carry no referrer
beyond this origin.
"""

from __future__ import annotations

import falcon

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

#: HTTPS only, for a year, once the service is served over HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


class SecurityHeaders:
    def __init__(self, *, hsts: bool) -> None:
        self.headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if hsts:
            self.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        for name, value in self.headers.items():
            if resp.get_header(name) is None:
                resp.set_header(name, value)
