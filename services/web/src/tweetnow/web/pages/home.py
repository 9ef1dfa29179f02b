"""``/``: what tweetnow does and "Sign in with X"; once signed in, the compose page (with
a choice of account to post as, when several are connected)."""

from __future__ import annotations

import falcon

from tweetnow.shared.models import ConnectionStatus

from ..domain.connections import accounts_of
from ..tweet_text import MAX_WEIGHTED_LENGTH
from .page_context import base_context, send_html
from .templating import PageTemplates
from .time_zones import zone_of

SIGNIN_MESSAGES = {"denied": "Signing in was canceled on X. Sign in again whenever you like."}


class Home:
    def __init__(self, templates: PageTemplates) -> None:
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        context = base_context(req, "compose")
        if context["user"] is None:
            message = SIGNIN_MESSAGES.get(req.get_param("signin") or "")
            html = self.templates.render("landing.html", signin_message=message, **context)
        else:
            html = self.templates.render(
                "compose.html",
                max_length=MAX_WEIGHTED_LENGTH,
                time_zone=zone_of(context["user"]),
                accounts=[
                    a
                    for a in accounts_of(context["user"])
                    if a.status != ConnectionStatus.DISCONNECTED
                ],
                **context,
            )
        send_html(resp, html)
