"""``/admin/periodic``: each recurring job's schedule, next run and last run."""

from __future__ import annotations

import falcon

from tweetnow.shared.clock import utcnow
from tweetnow.shared.periodic import ALL_PERIODIC_JOBS, PeriodicRuns, next_run

from ..deps import WebDeps
from .access import admin_only
from .page_frame import AdminTemplates, render


@falcon.before(admin_only)
class PeriodicJobs:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates
        self.runs = PeriodicRuns(deps.redis)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        now = utcnow()
        last = self.runs.last_runs()
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
        render(req, resp, self.templates, "admin/periodic.html", "periodic", jobs=jobs)
