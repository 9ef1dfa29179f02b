"""``/account``: the address for notices and the API tokens."""

from __future__ import annotations

import falcon

from ..domain.tokens import TokenService
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates


class AccountPage:
    def __init__(self, tokens: TokenService, templates: PageTemplates) -> None:
        self.tokens = tokens
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tokens = self.tokens.live(require_signed_in(req)).data
        send_html(
            resp,
            self.templates.render("account.html", tokens=tokens, **base_context(req, "account")),
        )
