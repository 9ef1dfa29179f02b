"""``/account``: the address for notices and the API tokens."""

from __future__ import annotations

import falcon

from tweetnow.shared.clock import iso
from tweetnow.shared.models import ApiToken

from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates


class AccountPage:
    def __init__(self, templates: PageTemplates) -> None:
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        rows = (
            ApiToken.select()
            .where((ApiToken.user == user) & ApiToken.revoked_at.is_null())
            .order_by(ApiToken.id.desc())
        )
        tokens = [
            {
                "id": r.id,
                "label": r.label,
                "prefix": r.prefix,
                "created_at": iso(r.created_at),
                "last_used_at": iso(r.last_used_at),
            }
            for r in rows
        ]
        send_html(
            resp,
            self.templates.render("account.html", tokens=tokens, **base_context(req, "account")),
        )
