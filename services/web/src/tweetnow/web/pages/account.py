"""``/account``: the connected X accounts, the address for notices and the API tokens."""

from __future__ import annotations

import falcon

from ..domain.connections import accounts_of
from ..domain.tokens import TokenService
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates


class AccountPage:
    def __init__(self, tokens: TokenService, templates: PageTemplates) -> None:
        self.tokens = tokens
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        tokens = self.tokens.live(user).data
        html = self.templates.render(
            "account.html",
            tokens=tokens,
            accounts=accounts_of(user),
            connected=req.get_param("connected"),
            **base_context(req, "account"),
        )
        send_html(resp, html)
