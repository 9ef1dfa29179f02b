"""``/account``: the connected X accounts, the address for notices, the time zone, API
tokens and webhooks."""

from __future__ import annotations

import falcon

from ..domain.connections import accounts_of
from ..domain.tokens import TokenService
from ..domain.webhooks import WebhookService
from ..schemas import WEBHOOK_EVENT_NAMES
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates
from .time_zones import ZONE_CHOICES, zone_of


class AccountPage:
    def __init__(
        self, tokens: TokenService, webhooks: WebhookService, templates: PageTemplates
    ) -> None:
        self.tokens = tokens
        self.webhooks = webhooks
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        send_html(
            resp,
            self.templates.render(
                "account.html",
                tokens=self.tokens.live(user).data,
                accounts=accounts_of(user),
                connected=req.get_param("connected"),
                webhooks=self.webhooks.all(user).data,
                webhook_events=WEBHOOK_EVENT_NAMES.split(", "),
                zone_choices=ZONE_CHOICES,
                time_zone=zone_of(user),
                **base_context(req, "account"),
            ),
        )
