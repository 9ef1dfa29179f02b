"""``/thoughts``: mail a thought (with a GIF) to an address, and watch it go out."""

from __future__ import annotations

import falcon

from ..domain.mail import MAX_THOUGHT_CHARS
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates


class ThoughtsPage:
    def __init__(self, templates: PageTemplates) -> None:
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        html = self.templates.render(
            "thoughts.html",
            email=user.email or "",
            max_length=MAX_THOUGHT_CHARS,
            **base_context(req, "thoughts"),
        )
        send_html(resp, html)
