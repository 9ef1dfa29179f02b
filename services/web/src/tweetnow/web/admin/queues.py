"""``/admin/queues`` and ``/admin/queues/{queue}``: depths, and the messages in each state;
POST ``/admin/queues/{queue}/pause`` and ``…/resume``.

A paused queue keeps taking messages from producers; its workers take none of
them until it is resumed (``tweetnow.shared.operator_controls``), whether they
were running at the pause or started since.
"""

from __future__ import annotations

import falcon

from .page import AdminPage
from .redis_view import PAGE_SIZE, QUEUES

#: The states a queue's messages are browsed by; ``ready`` first, the default.
STATES = ("ready", "delayed", "dead")
#: What the queue buttons do, and how the page reports it.
ACTIONS = {"pause": "paused", "resume": "resumed"}


class QueuesPage(AdminPage):
    template = "admin/queues.html"
    section = "queues"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.render(req, resp, queues=self.redis.depths(), actions=True, done=req.get_param("done"))

    def on_post_action(
        self, req: falcon.Request, resp: falcon.Response, queue: str, action: str
    ) -> None:
        if queue not in QUEUES or action not in ACTIONS:
            raise falcon.HTTPRouteNotFound()
        if action == "pause":
            self.controls.pause(queue, self.operator(req))
        else:
            self.controls.resume(queue, self.operator(req))
        self.answer_action(req, resp, "/admin/queues", f"{queue} {ACTIONS[action]}")


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
