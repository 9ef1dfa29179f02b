"""``GET /api/accounts``: the X accounts the caller can post as;
``DELETE /api/accounts/{id}``: disconnect one."""

from __future__ import annotations

import falcon

from tweetnow.shared.jobs import JobStatusStore

from ..domain.connections import account_answer, accounts_of, disconnect
from ..schemas import AccountList


class Accounts:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = AccountList(data=accounts_of(req.context.user))


class AccountItem:
    def __init__(self, jobs: JobStatusStore) -> None:
        self.jobs = jobs

    def on_delete(self, req: falcon.Request, resp: falcon.Response, account_id: int) -> None:
        user = req.context.user
        resp.media = account_answer(user, disconnect(self.jobs, user, account_id))
