"""API tokens: created from a signed-in browser session, shown once, revocable.

The route table lets only browser sessions in: a leaked token cannot mint more.
"""

from __future__ import annotations

import falcon

from ..domain.tokens import TokenService


class Tokens:
    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.context.body
        issued = self.tokens.issue(req.context.user, body.label, body.expires_in_days)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/tokens/{issued.id}"
        resp.media = issued

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.tokens.live(req.context.user)


class TokenItem:
    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: int) -> None:
        self.tokens.revoke(req.context.user, token_id)
        resp.status = falcon.HTTP_204
