"""``/admin/workers``: every worker process alive now, and what it is running."""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from .access import admin_only
from .page_frame import AdminTemplates, render
from .worker_list import alive_workers, broker_heartbeats


@falcon.before(admin_only)
class Workers:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        workers = alive_workers(self.deps.redis)
        render(
            req,
            resp,
            self.templates,
            "admin/workers.html",
            "workers",
            workers=workers,
            threads=sum(w.threads for w in workers),
            busy=sum(len(w.running) for w in workers),
            heartbeats=broker_heartbeats(self.deps.redis, self.settings.heartbeat_timeout_ms),
        )
