"""What every admin page shares: its collaborators, its request parameters and how it is
answered.

A page names its template and the navigation entry it lights; ``render`` puts
them in the admin layout with what every page needs (who is signed in, the
session's CSRF token for the action forms, the time formats). Access is not
checked here: ``AdminOnly`` has turned everyone else away before routing.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

import falcon

from tweetnow.shared.operator_controls import Operator, OperatorControls

from ..deps import WebDeps
from ..pages.page_context import base_context, send_html, signed_in_user
from ..pages.static_assets import StaticAssets
from ..pages.templating import PageTemplates, when
from .redis_view import QUEUES, RedisView


def admin_templates() -> PageTemplates:
    return PageTemplates(StaticAssets.from_package())


def age(seconds: float | None) -> str:
    """A duration for people: 42 s, 7 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


class AdminPage:
    """A dashboard page: subclasses name their template and section and answer GET."""

    #: The page's template, below templates/.
    template: ClassVar[str]
    #: The navigation entry shown as current.
    section: ClassVar[str]

    def __init__(self, deps: WebDeps, templates: PageTemplates) -> None:
        self.deps = deps
        self.templates = templates
        self.redis = RedisView(deps.redis, deps.jobs)
        self.controls = OperatorControls(deps.redis)

    def render(self, req: falcon.Request, resp: falcon.Response, **context: Any) -> None:
        html = self.templates.render(
            self.template,
            section=self.section,
            age=age,
            when=when,
            **context,
            **base_context(req, "admin"),
        )
        send_html(resp, html)

    @staticmethod
    def operator(req: falcon.Request) -> Operator:
        """Who is acting, for the audit list: the signed-in admin (``AdminOnly`` let them in)."""
        user = signed_in_user(req)
        assert user is not None  # AdminOnly answers 404 to anyone not signed in
        return Operator(x_user_id=user.x_user_id, handle=user.username)

    @staticmethod
    def answer_action(req: falcon.Request, resp: falcon.Response, back_to: str, done: str) -> None:
        """JSON for API clients; the dashboard's forms go back to the page, saying what was done."""
        if req.client_accepts_json and not req.client_accepts("text/html"):
            resp.media = {"done": done}
            return
        raise falcon.HTTPSeeOther(f"{back_to}?done={quote(done)}")

    @staticmethod
    def chosen_queue(req: falcon.Request) -> str:
        """The ``queue`` parameter when it names a queue; the first queue otherwise."""
        queue = req.get_param("queue") or QUEUES[0]
        return queue if queue in QUEUES else QUEUES[0]

    @staticmethod
    def position(req: falcon.Request) -> int:
        """The ``at`` parameter: where a page of messages starts (an offset or a scan cursor)."""
        return req.get_param_as_int("at", min_value=0) or 0
