"""``GET /api/accounts``: the X accounts the caller can post as."""

from __future__ import annotations

import falcon

from ..domain.connections import accounts_of
from ..schemas import AccountList


class Accounts:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = AccountList(data=accounts_of(req.context.user))
