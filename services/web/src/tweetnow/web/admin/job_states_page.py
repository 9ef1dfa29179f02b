"""``/admin/retrying``, ``/admin/scheduled``, ``/admin/dead``: jobs waiting to run again,
waiting for their time, or given up on; and the actions on dead jobs."""

from __future__ import annotations

import falcon

from tweetnow.shared.models import Tweet, TweetStatus, User

from ..deps import WebDeps
from . import broker_keys as keys
from .access import admin_only
from .dead_letters import DeadLetters
from .page_frame import AdminTemplates, render
from .queue_stats import PAGE_SIZE, dead_page, delayed_page
from .queued_messages import QueuedMessage, with_jobs

#: HSCAN pages read per view of the delayed sets (each about PAGE_SIZE messages).
SCAN_ROUNDS = 4


def _queue(req: falcon.Request) -> str:
    queue = req.get_param("queue") or keys.QUEUES[0]
    return queue if queue in keys.QUEUES else keys.QUEUES[0]


def _delayed(deps: WebDeps, queue: str, cursor: int, retrying: bool):
    """Delayed messages that are retries (or not), a bounded scan at a time."""
    found: list[QueuedMessage] = []
    for _ in range(SCAN_ROUNDS):
        page, cursor = delayed_page(deps.redis, queue, cursor)
        found += [m for m in page if (m.retries > 0) == retrying]
        if cursor == 0 or len(found) >= PAGE_SIZE:
            break
    return with_jobs(deps.jobs, found), cursor


class _Page:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates

    def _counts(self) -> dict[str, int]:
        pipe = self.deps.redis.pipeline(transaction=False)
        for q in keys.QUEUES:
            pipe.zcard(keys.dead_set(q))
        return dict(zip(keys.QUEUES, pipe.execute(), strict=True))


@falcon.before(admin_only)
class DelayedJobs(_Page):
    def __init__(self, deps: WebDeps, templates: AdminTemplates, *, retrying: bool) -> None:
        super().__init__(deps, templates)
        self.retrying = retrying

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        queue = _queue(req)
        cursor = req.get_param_as_int("at", min_value=0) or 0
        messages, next_cursor = _delayed(self.deps, queue, cursor, self.retrying)
        waiting: list[Tweet] = []
        if not self.retrying:
            # Far-off tweets have no message yet: the dispatcher sends them when due.
            waiting = list(
                Tweet.select(Tweet, User)
                .join(User)
                .where((Tweet.status == TweetStatus.SCHEDULED) & Tweet.dispatched_at.is_null())
                .order_by(Tweet.send_at)
                .limit(PAGE_SIZE)
            )
        section = "retrying" if self.retrying else "scheduled"
        render(
            req,
            resp,
            self.templates,
            "admin/delayed.html",
            section,
            queue=queue,
            queues=keys.QUEUES,
            messages=messages,
            waiting_tweets=waiting,
            next_url=f"?queue={queue}&at={next_cursor}" if next_cursor else None,
        )


@falcon.before(admin_only)
class DeadJobs(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        queue = _queue(req)
        at = req.get_param_as_int("at", min_value=0) or 0
        messages = with_jobs(self.deps.jobs, dead_page(self.deps.redis, queue, at))
        more = len(messages) == PAGE_SIZE
        render(
            req,
            resp,
            self.templates,
            "admin/dead.html",
            "dead",
            queue=queue,
            counts=self._counts(),
            messages=messages,
            next_url=f"?queue={queue}&at={at + PAGE_SIZE}" if more else None,
            done=req.get_param("done"),
        )


@falcon.before(admin_only)
class DeadAction:
    """POST /admin/dead/{queue}/{redis_id}/{retry|delete}; ``all`` as the id for every one."""

    def __init__(self, deps: WebDeps) -> None:
        self.settings = deps.settings
        self.dead = DeadLetters(deps.broker, deps.jobs)

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, queue: str, redis_id: str, action: str
    ) -> None:
        if queue not in keys.QUEUES or action not in ("retry", "delete"):
            raise falcon.HTTPRouteNotFound()
        if redis_id == "all":
            done = (self.dead.retry_all if action == "retry" else self.dead.delete_all)(queue)
        elif action == "retry":
            done = int(self.dead.retry(queue, redis_id) is not None)
        else:
            done = int(self.dead.delete(queue, redis_id))
        if req.client_accepts_json and not req.client_accepts("text/html"):
            resp.media = {"queue": queue, "action": action, "done": done}
            return
        past = "retried" if action == "retry" else "deleted"
        raise falcon.HTTPSeeOther(f"/admin/dead?queue={queue}&done={done}+{past}")
