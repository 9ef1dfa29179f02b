"""API tokens: created from a signed-in browser session, shown once, revocable."""

from __future__ import annotations

import falcon

from ..domain.tokens import TokenService
from ..middleware.authentication import require_session
from ..schemas import TokenCreate
from .bodies import read_json


class Tokens:
    def __init__(self, tokens: TokenService, *, max_body_bytes: int) -> None:
        self.tokens = tokens
        self.max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_session(req)
        body = read_json(req, TokenCreate, max_bytes=self.max_body_bytes)
        issued = self.tokens.issue(user, body.label)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/tokens/{issued.id}"
        resp.media = issued

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.tokens.live(require_session(req))


class TokenItem:
    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: int) -> None:
        self.tokens.revoke(require_session(req), token_id)
        resp.status = falcon.HTTP_204
