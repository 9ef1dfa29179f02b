"""The HTML pages people use; they call the same JSON API as any client."""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from ..sessions import SessionManager
from .home import Home


def register_pages(app: falcon.App, deps: WebDeps, sessions: SessionManager) -> None:
    app.add_route("/", Home())
