"""The caller's account: ``GET /api/me`` and ``PATCH /api/me`` (the address for notices)."""

from __future__ import annotations

import falcon
import msgspec
from email_validator import EmailNotValidError, validate_email

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import User

from ..authentication import require_user
from ..deps import WebDeps
from ..errors import unprocessable
from ..request_body import read_json
from ..schemas import MeUpdate
from ..welcome import request_welcome

log = get_logger(__name__)


def me_json(user: User) -> dict[str, object]:
    return {"id": user.id, "username": user.username, "name": user.name, "email": user.email}


def check_notice_address(value: str | None) -> str | None:
    """The address in its normalized form, None to remove it, or a 422 saying what is wrong."""
    if value is None or not value.strip():
        return None
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise unprocessable(f"`email` is not a valid email address: {exc}", field="email") from None
    # The ASCII form (an internationalized domain as punycode) reaches any mail server.
    return checked.ascii_email or checked.normalized


class Me:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = me_json(require_user(req))

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, MeUpdate, max_bytes=self.deps.settings.max_body_bytes)
        if body.email is not msgspec.UNSET:
            email = check_notice_address(body.email)
            if email != user.email:
                User.update(email=email, updated_at=to_db(utcnow())).where(
                    User.id == user.id
                ).execute()
                user.email = email
                log.info("email_changed", user_id=user.id, removed=email is None)
                request_welcome(self.deps.broker, user, request_id=req.context.request_id)
        resp.media = me_json(user)
