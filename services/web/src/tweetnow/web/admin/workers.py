"""``/admin/workers``: every worker process alive now, and what it is running."""

from __future__ import annotations

import falcon

from .page import AdminPage


class WorkersPage(AdminPage):
    template = "admin/workers.html"
    section = "workers"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        workers = self.redis.alive_workers()
        self.render(
            req,
            resp,
            workers=workers,
            threads=sum(w.threads for w in workers),
            busy=sum(len(w.running) for w in workers),
            heartbeats=self.redis.broker_heartbeats(self.deps.settings.heartbeat_timeout_ms),
        )
