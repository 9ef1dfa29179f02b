"""``/admin/dead``: jobs given up on, and the buttons that send them again or delete them.

Dramatiq has no re-queue: the stored payload is re-enqueued under its own
message id without the options of its last life (retry count, traceback, eta,
periodiq's tick), so it gets its full retries again. A tweet or mail row that
ended ``failed`` goes back to ``queued`` under that job id first; a row in any
other state stays as it is and its guard makes the job a no-op.
"""

from __future__ import annotations

import json
from typing import cast

import dramatiq
import falcon
import redis

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.jobs import JobStatusStore
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import DELIVER_WEBHOOK
from tweetnow.shared.models import (
    DeliveryStatus,
    Mail,
    MailStatus,
    Tweet,
    TweetStatus,
    WebhookDelivery,
)

from ..deps import WebDeps
from ..pages.templating import PageTemplates
from .page import AdminPage
from .redis_view import PAGE_SIZE, QUEUES, as_text, dead_msgs, dead_set

log = get_logger(__name__)

#: Options of a message's previous life, dropped when it is sent again.
DROPPED_OPTIONS = frozenset({"retries", "traceback", "redis_message_id", "eta", "scheduled_at"})
#: Dead ids read per round trip while acting on all of a queue's dead jobs.
BATCH = 500
#: What the action buttons do, and how the page reports it.
ACTIONS = {"retry": "retried", "delete": "deleted"}
#: The id in an action's address that means every dead job of the queue.
ALL = "all"


#: The row each actor's job works on: its model, the keyword argument with its id, its statuses.
JOB_ROWS: dict[str, tuple[type[Tweet] | type[Mail], str, type[TweetStatus] | type[MailStatus]]] = {
    "post_tweet": (Tweet, "tweet_id", TweetStatus),
    "send_mail": (Mail, "mail_id", MailStatus),
}


def _requeue_delivery(delivery_id: object) -> None:
    """A failed webhook delivery gets one more attempt, due now (its job id is its own id)."""
    WebhookDelivery.update(
        status=DeliveryStatus.PENDING,
        error=None,
        lease_until=None,
        next_attempt_at=to_db(utcnow()),
        updated_at=to_db(utcnow()),
    ).where(
        (WebhookDelivery.id == delivery_id) & (WebhookDelivery.status == DeliveryStatus.FAILED)
    ).execute()


def _requeue_row(actor: str, job_id: str, kwargs: dict) -> None:
    """Put the job's tweet or mail back to ``queued`` under the job's id, if it ended ``failed``
    (a webhook delivery back to ``pending``)."""
    if actor == DELIVER_WEBHOOK.actor_name:
        _requeue_delivery(kwargs.get("delivery_id"))
        return
    if actor not in JOB_ROWS:
        return
    model, id_argument, statuses = JOB_ROWS[actor]
    now = to_db(utcnow())
    fields = {
        model.status: statuses.QUEUED,
        model.job_id: job_id,
        model.error: None,
        model.lease_until: None,
        model.updated_at: now,
    }
    if model is Tweet:
        # A tweet also records when its message was sent.
        fields[Tweet.dispatched_at] = now
    failed = (model.id == kwargs.get(id_argument)) & (model.status == statuses.FAILED)
    model.update(fields).where(failed).execute()


class DeadLetters:
    """Retries and deletes dead messages, one at a time or all of a queue's."""

    def __init__(self, broker: dramatiq.Broker, store: JobStatusStore) -> None:
        self.broker = broker
        self.store = store
        self.client: redis.Redis = store.client

    def _take(self, queue: str, redis_id: str) -> bytes | str | None:
        """Remove one dead message and return its payload; None if someone else took it."""
        raw = self.client.hget(dead_msgs(queue), redis_id)
        if not self.client.zrem(dead_set(queue), redis_id):
            return None
        self.client.hdel(dead_msgs(queue), redis_id)
        return raw

    def delete(self, queue: str, redis_id: str) -> bool:
        taken = self._take(queue, redis_id) is not None
        log.info("admin_dead_deleted", queue=queue, redis_id=redis_id, deleted=taken)
        return taken

    def retry(self, queue: str, redis_id: str) -> bool:
        """Send the dead job again; False if it was not there."""
        raw = self._take(queue, redis_id)
        if raw is None:
            return False
        data = json.loads(raw)
        job_id = data["message_id"]
        kwargs = data.get("kwargs") or {}
        _requeue_row(data["actor_name"], job_id, kwargs)
        options = {k: v for k, v in (data.get("options") or {}).items() if k not in DROPPED_OPTIONS}
        self.client.hset(self.store.prefix + job_id, mapping={"error": "", "finished_at": ""})
        message: dramatiq.Message = dramatiq.Message(
            queue_name=queue,
            actor_name=data["actor_name"],
            args=tuple(data.get("args") or ()),
            kwargs=kwargs,
            options=options,
            message_id=job_id,
        )
        self.broker.enqueue(message)
        log.info("admin_dead_retried", queue=queue, job_id=job_id, actor=data["actor_name"])
        return True

    def act(self, action: str, queue: str, redis_id: str) -> int:
        """Retry or delete one dead job, or all (``redis_id`` ``all``); how many were."""
        one = self.retry if action == "retry" else self.delete
        if redis_id != ALL:
            return int(one(queue, redis_id))
        # Those dead now: a job that dies again meanwhile waits for the next click.
        done, seen = 0, 0
        total = self.client.zcard(dead_set(queue))
        while seen < total and (found := self.client.zrange(dead_set(queue), 0, BATCH - 1)):
            # Without scores, ZRANGE answers members only.
            ids = cast(list[bytes], found)
            for i in ids[: total - seen]:
                seen += 1
                if one(queue, as_text(i)):
                    done += 1
        return done


class DeadJobsPage(AdminPage):
    """The dead jobs of one queue (GET), and POST ``/admin/dead/{queue}/{id}/{action}``."""

    template = "admin/dead.html"
    section = "dead"

    def __init__(self, deps: WebDeps, templates: PageTemplates) -> None:
        super().__init__(deps, templates)
        self.dead = DeadLetters(deps.broker, deps.jobs)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        queue = self.chosen_queue(req)
        at = self.position(req)
        messages = self.redis.with_jobs(self.redis.dead_messages(queue, at))
        more = len(messages) == PAGE_SIZE
        self.render(
            req,
            resp,
            queue=queue,
            counts=self.redis.dead_counts(),
            messages=messages,
            next_url=f"?queue={queue}&at={at + PAGE_SIZE}" if more else None,
            done=req.get_param("done"),
        )

    def on_post_action(
        self, req: falcon.Request, resp: falcon.Response, queue: str, redis_id: str, action: str
    ) -> None:
        if queue not in QUEUES or action not in ACTIONS:
            raise falcon.HTTPRouteNotFound()
        done = self.dead.act(action, queue, redis_id)
        if req.client_accepts_json and not req.client_accepts("text/html"):
            resp.media = {"queue": queue, "action": action, "done": done}
            return
        raise falcon.HTTPSeeOther(f"/admin/dead?queue={queue}&done={done}+{ACTIONS[action]}")
