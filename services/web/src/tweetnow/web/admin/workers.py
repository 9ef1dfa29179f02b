"""``/admin/workers``: every worker process alive now, and what it is running;
POST ``/admin/workers/{host:pid}/quiet``.

A quiet process finishes what it runs and takes nothing new; the flag ends
with the process (``tweetnow.shared.operator_controls``), so quiet is how a
process is emptied before it is stopped, and restarting it ends the quiet.
"""

from __future__ import annotations

import falcon

from .page import AdminPage


class WorkersPage(AdminPage):
    template = "admin/workers.html"
    section = "workers"

    def on_post_action(
        self, req: falcon.Request, resp: falcon.Response, worker: str, action: str
    ) -> None:
        if action != "quiet":
            raise falcon.HTTPRouteNotFound()
        if not self.controls.quiet(worker, self.operator(req)):
            raise falcon.HTTPRouteNotFound()  # no such worker alive
        self.answer_action(req, resp, "/admin/workers", f"{worker} quiet")

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        workers = self.redis.alive_workers()
        self.render(
            req,
            resp,
            workers=workers,
            threads=sum(w.threads for w in workers),
            busy=sum(len(w.running) for w in workers),
            heartbeats=self.redis.broker_heartbeats(self.deps.settings.heartbeat_timeout_ms),
            done=req.get_param("done"),
        )
