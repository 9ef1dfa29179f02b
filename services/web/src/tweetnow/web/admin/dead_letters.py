"""Dead jobs: send one again under its own message id, or delete it; one or all.

Dramatiq has no re-queue: the stored payload is re-enqueued without the
options of its last life (retry count, traceback, eta, periodiq's tick), so it
gets its full retries again. A tweet or mail row that ended ``failed`` goes
back to ``queued`` under that job id first, as ``TweetService.retry`` does; a
row in any other state stays as it is and its guard makes the job a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import dramatiq
import redis

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.jobs import JobStatusStore
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailStatus, Tweet, TweetStatus

from . import broker_keys as keys

log = get_logger(__name__)

#: Options of a message's previous life, dropped when it is sent again.
DROPPED_OPTIONS = frozenset({"retries", "traceback", "redis_message_id", "eta", "scheduled_at"})
BATCH = 500


def _requeue_tweet(job_id: str, kwargs: dict) -> None:
    now = to_db(utcnow())
    Tweet.update(
        status=TweetStatus.QUEUED,
        job_id=job_id,
        error=None,
        lease_until=None,
        dispatched_at=now,
        updated_at=now,
    ).where((Tweet.id == kwargs.get("tweet_id")) & (Tweet.status == TweetStatus.FAILED)).execute()


def _requeue_mail(job_id: str, kwargs: dict) -> None:
    Mail.update(
        status=MailStatus.QUEUED,
        job_id=job_id,
        error=None,
        lease_until=None,
        updated_at=to_db(utcnow()),
    ).where((Mail.id == kwargs.get("mail_id")) & (Mail.status == MailStatus.FAILED)).execute()


ROW_REQUEUE: dict[str, Callable[[str, dict], None]] = {
    "post_tweet": _requeue_tweet,
    "send_mail": _requeue_mail,
}


class DeadLetters:
    def __init__(self, broker: dramatiq.Broker, store: JobStatusStore) -> None:
        self.broker = broker
        self.store = store
        self.client: redis.Redis = store.client

    def _take(self, queue: str, redis_id: str) -> bytes | None:
        """Remove one dead message and return its payload; None if someone else took it."""
        raw = self.client.hget(keys.dead_msgs(queue), redis_id)
        if not self.client.zrem(keys.dead_set(queue), redis_id):
            return None
        self.client.hdel(keys.dead_msgs(queue), redis_id)
        return raw

    def delete(self, queue: str, redis_id: str) -> bool:
        taken = self._take(queue, redis_id) is not None
        log.info("admin_dead_deleted", queue=queue, redis_id=redis_id, deleted=taken)
        return taken

    def retry(self, queue: str, redis_id: str) -> str | None:
        """Send the dead job again; its job id, or None if it was not there."""
        raw = self._take(queue, redis_id)
        if raw is None:
            return None
        data = json.loads(raw)
        job_id = data["message_id"]
        kwargs = data.get("kwargs") or {}
        requeue_row = ROW_REQUEUE.get(data["actor_name"])
        if requeue_row is not None:
            requeue_row(job_id, kwargs)
        options = {k: v for k, v in (data.get("options") or {}).items() if k not in DROPPED_OPTIONS}
        self.client.hset(self.store.prefix + job_id, mapping={"error": "", "finished_at": ""})
        message = dramatiq.Message(
            queue_name=queue,
            actor_name=data["actor_name"],
            args=tuple(data.get("args") or ()),
            kwargs=kwargs,
            options=options,
            message_id=job_id,
        )
        self.broker.enqueue(message)
        log.info("admin_dead_retried", queue=queue, job_id=job_id, actor=data["actor_name"])
        return job_id

    def _all(self, queue: str, action: Callable[[str, str], object]) -> int:
        """Those dead now (a job that dies again meanwhile waits for the next click)."""
        done, seen = 0, 0
        total = self.client.zcard(keys.dead_set(queue))
        while seen < total and (ids := self.client.zrange(keys.dead_set(queue), 0, BATCH - 1)):
            for i in ids[: total - seen]:
                seen += 1
                if action(queue, i.decode()):
                    done += 1
        return done

    def retry_all(self, queue: str) -> int:
        return self._all(queue, self.retry)

    def delete_all(self, queue: str) -> int:
        return self._all(queue, self.delete)
