"""The caller's account: ``GET /api/me`` and ``PATCH /api/me`` (the address for notices)."""

from __future__ import annotations

import falcon
import msgspec

from ..domain.account import AccountService
from ..middleware.authentication import require_user
from ..schemas import MeUpdate
from .bodies import read_json


class Me:
    def __init__(self, account: AccountService, *, max_body_bytes: int) -> None:
        self.account = account
        self.max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.account.me(require_user(req))

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, MeUpdate, max_bytes=self.max_body_bytes)
        if body.email is msgspec.UNSET:
            resp.media = self.account.me(user)
        else:
            resp.media = self.account.set_email(user, body.email, request_id=req.context.request_id)
