"""What every admin page shares: its templates and how a page is answered."""

from __future__ import annotations

from typing import Any

import falcon

from ..pages.page_context import base_context, send_html
from ..pages.static_assets import StaticAssets
from ..pages.templating import PageTemplates, when

AdminTemplates = PageTemplates


def admin_templates() -> AdminTemplates:
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


def render(
    req: falcon.Request,
    resp: falcon.Response,
    templates: AdminTemplates,
    name: str,
    section: str,
    **context: Any,
) -> None:
    send_html(
        resp,
        templates.render(
            name,
            section=section,
            age=age,
            when=when,
            **context,
            **base_context(req, "admin"),
        ),
    )
