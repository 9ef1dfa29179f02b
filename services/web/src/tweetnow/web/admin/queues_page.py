"""``/admin/queues`` and ``/admin/queues/{queue}``: depths, and the messages in each state."""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from . import broker_keys as keys
from .access import admin_only
from .page_frame import AdminTemplates, render
from .queue_stats import PAGE_SIZE, dead_page, delayed_page, depths, ready_page
from .queued_messages import with_jobs

STATES = ("ready", "delayed", "dead")


@falcon.before(admin_only)
class Queues:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        render(
            req, resp, self.templates, "admin/queues.html", "queues", queues=depths(self.deps.redis)
        )


@falcon.before(admin_only)
class QueueMessages:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response, queue: str) -> None:
        if queue not in keys.QUEUES:
            raise falcon.HTTPRouteNotFound()
        state = req.get_param("state") or "ready"
        if state not in STATES:
            state = "ready"
        at = req.get_param_as_int("at", min_value=0) or 0
        client = self.deps.redis
        next_at: int | None = None
        if state == "ready":
            messages = ready_page(client, queue, at)
            next_at = at + PAGE_SIZE if len(messages) == PAGE_SIZE else None
        elif state == "delayed":
            messages, cursor = delayed_page(client, queue, at)
            next_at = cursor or None
        else:
            messages = dead_page(client, queue, at)
            next_at = at + PAGE_SIZE if len(messages) == PAGE_SIZE else None
        render(
            req,
            resp,
            self.templates,
            "admin/queue.html",
            "queues",
            queue=queue,
            state=state,
            states=STATES,
            depth=next(d for d in depths(client, (queue,))),
            messages=with_jobs(self.deps.jobs, messages),
            next_url=f"?state={state}&at={next_at}" if next_at else None,
            first_page=at == 0,
        )
