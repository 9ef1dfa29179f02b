"""Who may reach /admin, checked once for every request, before any page answers.

Admins are people signed in with a browser session whose X user id is listed in
ADMIN_X_USER_IDS. The id, never the handle: a renamed or deleted account frees
its handle for someone else, while an id stays with its account. An API token
never counts, not even an admin's own. Anyone else gets, for every method on
every address under /admin (known or not), the very 404 an unknown address
gets: no 405, no Allow header, nothing that tells the dashboard is there.
"""

from __future__ import annotations

from typing import Any

import falcon

from tweetnow.shared.models import User
from tweetnow.shared.settings import Settings

from ..pages.page_context import signed_in_user

#: The first path segment of every dashboard address.
ADMIN_SEGMENT = "admin"


def is_admin(user: User | None, settings: Settings) -> bool:
    return user is not None and user.x_user_id in settings.admin_x_user_ids


def is_admin_path(path: str) -> bool:
    """True for /admin and anything below it, read as the router reads it.

    Falcon's router skips leading slashes, so ``//admin`` reaches the overview too.
    """
    return path.lstrip("/").split("/", 1)[0] == ADMIN_SEGMENT


class AdminOnly:
    """Middleware: non-admins never reach a responder under /admin.

    It checks in ``process_resource``, which Falcon calls after every
    middleware's ``process_request``: who is calling is known whatever order
    the middleware was added in. An address no route matches has no resource
    and gets Falcon's 404 without this check; every matched one, including
    the default OPTIONS and 405 responders, gets the same 404 from it.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        if is_admin_path(req.path) and not is_admin(signed_in_user(req), self.settings):
            raise falcon.HTTPRouteNotFound()
