"""The caller's account: ``GET /api/me`` and ``PATCH /api/me`` (the address for notices)."""

from __future__ import annotations

import falcon
import msgspec

from ..domain.account import AccountService
from ..schemas import MeUpdate


class Me:
    def __init__(self, account: AccountService) -> None:
        self.account = account

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.account.me(req.context.user)

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Only the fields sent change; an omitted ``email`` is left as it is."""
        body: MeUpdate = req.context.body
        if body.email is msgspec.UNSET:
            resp.media = self.account.me(req.context.user)
        else:
            resp.media = self.account.set_email(
                req.context.user, body.email, request_id=req.context.request_id
            )
