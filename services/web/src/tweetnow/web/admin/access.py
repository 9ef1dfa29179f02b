"""Who may see /admin: people signed in with a browser session whose X handle is listed
in ADMIN_X_USERNAMES. Everyone else gets the 404 an unknown address gets."""

from __future__ import annotations

from typing import Any

import falcon

from tweetnow.shared.models import User
from tweetnow.shared.settings import Settings

from ..pages.page_context import signed_in_user


def is_admin(user: User | None, settings: Settings) -> bool:
    return user is not None and user.username.lower() in settings.admin_x_usernames


def admin_only(req: falcon.Request, resp: falcon.Response, resource: Any, params: dict) -> None:
    """A falcon.before hook; the resource has ``settings``. API tokens never count."""
    if not is_admin(signed_in_user(req), resource.settings):
        raise falcon.HTTPRouteNotFound()
