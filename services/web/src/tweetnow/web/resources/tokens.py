"""API tokens: created from a signed-in session, shown once, revocable."""

from __future__ import annotations

import falcon

from tweetnow.shared.clock import iso
from tweetnow.shared.models import ApiToken

from .. import api_tokens
from ..authentication import require_session
from ..deps import WebDeps
from ..errors import not_found
from ..request_body import read_json
from ..schemas import TokenCreate


class Tokens:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_session(req)
        body = read_json(req, TokenCreate, max_bytes=self.deps.settings.max_body_bytes)
        issued = api_tokens.issue(user, body.label.strip())
        resp.status = falcon.HTTP_201
        resp.location = f"/api/tokens/{issued.row.id}"
        resp.media = {
            "id": issued.row.id,
            "token": issued.token,
            "label": issued.row.label,
            "created_at": iso(issued.row.created_at),
        }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_session(req)
        rows = (
            ApiToken.select()
            .where((ApiToken.user == user) & ApiToken.revoked_at.is_null())
            .order_by(ApiToken.id.desc())
        )
        resp.media = {
            "data": [
                {
                    "id": r.id,
                    "label": r.label,
                    "prefix": r.prefix,
                    "created_at": iso(r.created_at),
                    "last_used_at": iso(r.last_used_at),
                }
                for r in rows
            ]
        }


class Token:
    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: int) -> None:
        user = require_session(req)
        if not api_tokens.revoke(user, token_id):
            raise not_found("API token")
        resp.status = falcon.HTTP_204
