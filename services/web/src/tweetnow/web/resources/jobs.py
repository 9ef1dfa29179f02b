"""Job status: where a background job is, readable only by the person it belongs to."""

from __future__ import annotations

import falcon

from ..authentication import require_user
from ..deps import WebDeps
from ..errors import not_found
from ..views import job_json


class JobItem:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        user = require_user(req)
        record = self.deps.jobs.get(job_id)
        if record is None or record.owner_id != str(user.id):
            raise not_found("job")
        resp.media = job_json(record)
