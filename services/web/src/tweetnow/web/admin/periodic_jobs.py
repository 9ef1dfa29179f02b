"""``/admin/periodic``: each recurring job's schedule, next run and last run."""

from __future__ import annotations

import falcon

from tweetnow.shared.clock import utcnow
from tweetnow.shared.periodic import ALL_PERIODIC_JOBS, next_run

from .page import AdminPage


class PeriodicJobsPage(AdminPage):
    template = "admin/periodic.html"
    section = "periodic"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        now = utcnow()
        last = self.redis.periodic_runs()
        jobs = [
            {
                "name": job.name,
                "cron": job.cron,
                "description": job.description,
                "next_run": next_run(job.cron, now),
                "last": last.get(job.name),
            }
            for job in ALL_PERIODIC_JOBS
        ]
        self.render(req, resp, jobs=jobs)
