"""The caller's account: ``GET /api/me`` and ``PATCH /api/me`` (the address for notices)."""

from __future__ import annotations

import falcon

from ..domain.account import AccountService


class Me:
    def __init__(self, account: AccountService) -> None:
        self.account = account

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.account.me(req.context.user)

    def on_patch(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = req.context
        resp.media = self.account.update(ctx.user, ctx.body, request_id=ctx.request_id)
