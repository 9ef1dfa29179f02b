"""``/admin/queues`` and ``/admin/queues/{queue}``: depths, and the messages in each state."""

from __future__ import annotations

import falcon

from .page import AdminPage
from .redis_view import PAGE_SIZE, QUEUES

#: The states a queue's messages are browsed by; ``ready`` first, the default.
STATES = ("ready", "delayed", "dead")


class QueuesPage(AdminPage):
    template = "admin/queues.html"
    section = "queues"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.render(req, resp, queues=self.redis.depths())


class QueueMessagesPage(AdminPage):
    template = "admin/queue.html"
    section = "queues"

    def on_get(self, req: falcon.Request, resp: falcon.Response, queue: str) -> None:
        if queue not in QUEUES:
            raise falcon.HTTPRouteNotFound()
        state = req.get_param("state") or STATES[0]
        if state not in STATES:
            state = STATES[0]
        at = self.position(req)
        next_at: int | None
        if state == "delayed":
            messages, cursor = self.redis.delayed_messages(queue, at)
            next_at = cursor or None
        else:
            if state == "ready":
                messages = self.redis.ready_messages(queue, at)
            else:
                messages = self.redis.dead_messages(queue, at)
            next_at = at + PAGE_SIZE if len(messages) == PAGE_SIZE else None
        self.render(
            req,
            resp,
            queue=queue,
            state=state,
            states=STATES,
            depth=self.redis.depth(queue),
            messages=self.redis.with_jobs(messages),
            next_url=f"?state={state}&at={next_at}" if next_at else None,
            first_page=at == 0,
        )
