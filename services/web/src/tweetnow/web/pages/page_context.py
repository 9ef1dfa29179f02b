"""What every page needs: who is signed in (with a browser session), and how to answer."""

from __future__ import annotations

from typing import Any

import falcon

from tweetnow.shared.models import User

from ..domain.connections import needing_reconnect


def signed_in_user(req: falcon.Request) -> User | None:
    """The person signed in with this browser (pages ignore API tokens)."""
    return req.context.user if req.context.auth == "session" else None


def require_signed_in(req: falcon.Request) -> User:
    user = signed_in_user(req)
    if user is None:
        raise falcon.HTTPSeeOther("/")
    return user


def base_context(req: falcon.Request, nav: str) -> dict[str, Any]:
    user = signed_in_user(req)
    return {
        "user": user,
        "csrf_token": req.context.session.csrf_token if user is not None else "",
        "nav": nav,
        #: The person's X accounts that need reconnecting: a banner on every page.
        "reconnect_needed": needing_reconnect(user) if user is not None else [],
    }


def send_html(resp: falcon.Response, html: str) -> None:
    """A page: personal, so never stored by the browser or anything in between."""
    resp.content_type = falcon.MEDIA_HTML
    resp.cache_control = ["no-store"]
    resp.text = html
