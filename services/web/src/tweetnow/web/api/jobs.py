"""``GET /api/jobs/{id}``: where one of the caller's background jobs is."""

from __future__ import annotations

import falcon

from ..domain.jobs import JobService


class JobItem:
    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs

    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        resp.media = self.jobs.get(req.context.user, job_id)
