"""Sending one of the sandbox's HTML pages."""

from __future__ import annotations

import falcon

from x_sandbox.html_pages import CONTENT_SECURITY_POLICY


def send_html(resp: falcon.Response, page: str, status: int = 200) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_HTML
    resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    resp.set_header("X-Content-Type-Options", "nosniff")
    resp.text = page
