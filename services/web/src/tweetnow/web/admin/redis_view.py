"""Everything the dashboard reads from Redis, with bounded reads only.

Pages never hold the Redis client: they ask a ``RedisView``, so the key layout
and the shape of what is stored are known in this one module.

Dramatiq's Redis broker (namespace ``dramatiq``) keeps, per queue ``<q>``:
``<q>`` ready ids (list) and ``<q>.msgs`` their payloads; ``<q>.DQ``/``.DQ.msgs``
delayed messages (workers prefetch the ids, so the hash is the count);
``<q>.XQ`` dead ids by time (sorted set) and ``<q>.XQ.msgs``. Ids are Dramatiq's
per-enqueue ``redis_message_id``, not the job's message id. Beside them sit
what the project writes itself: job records and their attempts, the per-minute
job counters, the worker registry, the operator's controls (paused queues,
quiet workers, the audit list) and the last run of each periodic job.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import redis

from tweetnow.shared.jobs import (
    FAILED_OUTCOMES,
    OUTCOMES,
    Attempt,
    JobRecord,
    JobStats,
    JobStatusStore,
)
from tweetnow.shared.messages import MAIL_QUEUE, TWEETS_QUEUE, WEBHOOKS_QUEUE
from tweetnow.shared.operator_controls import PAUSED_QUEUES, OperatorAction, OperatorControls
from tweetnow.shared.periodic import PERIODIC_QUEUE, PeriodicRuns
from tweetnow.shared.worker_registry import PREFIX as WORKERS
from tweetnow.shared.worker_registry import RECORD_TTL_S, running_key, worker_key

NAMESPACE = "dramatiq"
QUEUES: tuple[str, ...] = (TWEETS_QUEUE, MAIL_QUEUE, WEBHOOKS_QUEUE, PERIODIC_QUEUE)
HEARTBEATS = f"{NAMESPACE}:__heartbeats__"
#: Messages shown per page of a queue.
PAGE_SIZE = 50
#: HSCAN pages read per view of the retrying or scheduled jobs (each about PAGE_SIZE messages).
SCAN_ROUNDS = 4
#: Worker processes listed at the most.
MAX_WORKERS = 500

#: Actors whose payload names a row the dashboard can open.
ROW_LINKS = {"post_tweet": ("tweet_id", "/admin/tweets/"), "send_mail": ("mail_id", "/admin/mail/")}
#: The job record fields shown beside each message.
JOB_FIELDS = ("status", "attempts", "error", "next_attempt_at", "worker", "finished_at")


def ready_list(queue: str) -> str:
    return f"{NAMESPACE}:{queue}"


def ready_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.msgs"


def delayed_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.DQ.msgs"


def dead_set(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.XQ"


def dead_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.XQ.msgs"


def as_text(value: bytes | str) -> str:
    """A member or field as text (the client answers bytes, as it is built without decoding)."""
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class QueueDepth:
    name: str
    ready: int
    #: Fetched by a worker (prefetched or running), not yet acknowledged.
    in_progress: int
    delayed: int
    dead: int
    oldest_ready_age_s: float | None
    #: An operator paused it: workers take nothing new from it.
    paused: bool = False


@dataclass(frozen=True, kw_only=True)
class QueuedMessage:
    """A stored Dramatiq message decoded for people, with its job record's main fields."""

    redis_id: str
    job_id: str
    queue: str
    actor: str
    arguments: str
    enqueued_at: datetime | None
    retries: int
    eta: datetime | None
    dead_at: datetime | None = None
    row_url: str | None = None
    job: dict[str, str] | None = None


@dataclass(frozen=True)
class JobHistory:
    """A job's record (None when it was never sent or has expired) and every attempt."""

    record: JobRecord | None
    attempts: list[Attempt]


@dataclass(frozen=True)
class JobCounts:
    """Finished attempts: totals by outcome, and the last minutes, oldest first."""

    totals: dict[str, int]
    minutes: list[int]
    #: Per minute: attempts that did not fail (succeeded or canceled).
    ok: list[int]
    #: Per minute: attempts that failed (to be retried, or dead).
    failed: list[int]


@dataclass(frozen=True)
class RunningJob:
    job_id: str
    actor: str
    queue: str
    started_at: str | None


@dataclass(frozen=True)
class WorkerProcess:
    name: str
    host: str
    pid: str
    queues: list[str]
    threads: int
    started_at: str | None
    heartbeat_at: str | None
    running: list[RunningJob]
    #: An operator quieted it: it finishes what it runs and takes nothing new.
    quiet: bool = False


def _millis(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError):
        return None


def decode_message(
    redis_id: str, raw: bytes | str | None, dead_score: float | None = None
) -> QueuedMessage:
    """A message as Dramatiq stored it; a missing or broken payload still makes a row."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    options = data.get("options") or {}
    kwargs = data.get("kwargs") or {}
    args = data.get("args") or []
    parts = [json.dumps(a) for a in args] + [f"{k}={json.dumps(v)}" for k, v in kwargs.items()]
    actor = data.get("actor_name", "?")
    row_url = None
    if actor in ROW_LINKS:
        field, prefix = ROW_LINKS[actor]
        if isinstance(kwargs.get(field), int):
            row_url = f"{prefix}{kwargs[field]}"
    return QueuedMessage(
        redis_id=redis_id,
        job_id=data.get("message_id", redis_id),
        queue=str(data.get("queue_name", "")).removesuffix(".DQ"),
        actor=actor,
        arguments=", ".join(parts) if raw else "(payload missing)",
        enqueued_at=_millis(data.get("message_timestamp")),
        retries=int(options.get("retries") or 0),
        eta=_millis(options.get("eta")),
        dead_at=_millis(dead_score) if dead_score is not None else None,
        row_url=row_url,
    )


def _age_s(raw: bytes | None, now_ms: float) -> float | None:
    """How long ago a stored message was first enqueued; None without a readable payload."""
    if not raw:
        return None
    try:
        return max(0.0, (now_ms - int(json.loads(raw)["message_timestamp"])) / 1000)
    except (ValueError, KeyError, TypeError):
        return None


class RedisView:
    def __init__(self, client: redis.Redis, jobs: JobStatusStore) -> None:
        self.client = client
        self.jobs = jobs
        self.controls = OperatorControls(client)

    # --- queues ---------------------------------------------------------------

    def depths(self, queues: tuple[str, ...] = QUEUES) -> list[QueueDepth]:
        pipe = self.client.pipeline(transaction=False)
        for q in queues:
            pipe.llen(ready_list(q))
            pipe.hlen(ready_msgs(q))
            pipe.hlen(delayed_msgs(q))
            pipe.zcard(dead_set(q))
            pipe.lindex(ready_list(q), 0)
        pipe.smembers(PAUSED_QUEUES)
        *values, paused_raw = pipe.execute()
        paused = {as_text(q) for q in paused_raw}
        rows = [values[i * 5 : i * 5 + 5] for i in range(len(queues))]
        pipe = self.client.pipeline(transaction=False)
        for q, row in zip(queues, rows, strict=True):
            pipe.hget(ready_msgs(q), row[4] or b"")
        oldest = pipe.execute()
        now_ms = time.time() * 1000
        return [
            QueueDepth(
                name=q,
                ready=ready,
                in_progress=max(0, stored - ready),
                delayed=delayed,
                dead=dead,
                oldest_ready_age_s=_age_s(raw, now_ms),
                paused=q in paused,
            )
            for q, (ready, stored, delayed, dead, _), raw in zip(queues, rows, oldest, strict=True)
        ]

    def depth(self, queue: str) -> QueueDepth:
        (depth,) = self.depths((queue,))
        return depth

    def recent_operator_actions(self, count: int) -> list[OperatorAction]:
        """The operator's last actions (pause, resume, quiet), newest first."""
        return self.controls.recent_actions(count)

    def dead_counts(self) -> dict[str, int]:
        pipe = self.client.pipeline(transaction=False)
        for q in QUEUES:
            pipe.zcard(dead_set(q))
        return dict(zip(QUEUES, pipe.execute(), strict=True))

    # --- messages -------------------------------------------------------------

    def ready_messages(self, queue: str, offset: int) -> list[QueuedMessage]:
        ids = self.client.lrange(ready_list(queue), offset, offset + PAGE_SIZE - 1)
        if not ids:
            return []
        payloads = self.client.hmget(ready_msgs(queue), ids)
        return [decode_message(as_text(i), raw) for i, raw in zip(ids, payloads, strict=True)]

    def delayed_messages(self, queue: str, cursor: int) -> tuple[list[QueuedMessage], int]:
        """A page of delayed messages (retries and scheduled), and the next cursor (0: done)."""
        next_cursor, found = self.client.hscan(delayed_msgs(queue), cursor, count=PAGE_SIZE)
        # Without no_values, HSCAN answers field → value pairs.
        pairs = cast(dict[bytes, bytes], found)
        messages = [decode_message(as_text(k), v) for k, v in pairs.items()]
        messages.sort(key=lambda m: m.eta.timestamp() if m.eta else 0)
        return messages, int(next_cursor)

    def delayed_jobs(
        self, queue: str, cursor: int, *, retries: bool
    ) -> tuple[list[QueuedMessage], int]:
        """Delayed messages that are retries (or not), a bounded scan at a time."""
        found: list[QueuedMessage] = []
        for _ in range(SCAN_ROUNDS):
            page, cursor = self.delayed_messages(queue, cursor)
            found += [m for m in page if (m.retries > 0) == retries]
            if cursor == 0 or len(found) >= PAGE_SIZE:
                break
        return self.with_jobs(found), cursor

    def dead_messages(self, queue: str, offset: int) -> list[QueuedMessage]:
        """Dead messages, the most recently dead first."""
        found = self.client.zrevrange(
            dead_set(queue), offset, offset + PAGE_SIZE - 1, withscores=True
        )
        # With scores, ZREVRANGE answers (member, score) pairs.
        scored = cast(list[tuple[bytes, float]], found)
        if not scored:
            return []
        payloads = self.client.hmget(dead_msgs(queue), [i for i, _ in scored])
        return [
            decode_message(as_text(i), raw, score)
            for (i, score), raw in zip(scored, payloads, strict=True)
        ]

    # --- jobs -----------------------------------------------------------------

    def with_jobs(self, messages: list[QueuedMessage]) -> list[QueuedMessage]:
        """Each message with its job record's main fields (one pipelined round trip)."""
        if not messages:
            return messages
        pipe = self.client.pipeline(transaction=False)
        for m in messages:
            pipe.hmget(self.jobs.prefix + m.job_id, *JOB_FIELDS)
        out = []
        for m, values in zip(messages, pipe.execute(), strict=True):
            job = {f: v.decode() for f, v in zip(JOB_FIELDS, values, strict=True) if v}
            out.append(dataclasses.replace(m, job=job or None))
        return out

    def job_history(self, job_id: str) -> JobHistory:
        """The job's record and attempts; none while Redis is unreachable (the row still shows)."""
        try:
            return JobHistory(self.jobs.get(job_id), self.jobs.attempts(job_id))
        except redis.RedisError:
            return JobHistory(None, [])

    def job_counts(self, minutes: int) -> JobCounts:
        stats = JobStats(self.client)
        span, counts = stats.per_minute(minutes)
        failed = [sum(c) for c in zip(*(counts[o] for o in FAILED_OUTCOMES), strict=True)]
        finished = [sum(c) for c in zip(*(counts[o] for o in OUTCOMES), strict=True)]
        ok = [a - b for a, b in zip(finished, failed, strict=True)]
        return JobCounts(totals=stats.totals(), minutes=span, ok=ok, failed=failed)

    def periodic_runs(self) -> dict[str, dict]:
        """The last run of each periodic job, by job name."""
        return PeriodicRuns(self.client).last_runs()

    # --- workers --------------------------------------------------------------

    def alive_workers(self) -> list[WorkerProcess]:
        """The worker processes alive now, from the worker registry's records."""
        found = self.client.zrangebyscore(
            WORKERS, time.time() - RECORD_TTL_S, "+inf", start=0, num=MAX_WORKERS
        )
        # Without scores, ZRANGEBYSCORE answers members only.
        names = [as_text(n) for n in cast(list[bytes], found)]
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(worker_key(name))
            pipe.hgetall(running_key(name))
        values = pipe.execute()
        quiet = self.controls.quiet_workers(names)
        workers = []
        for i, name in enumerate(names):
            record = {k.decode(): v.decode() for k, v in values[2 * i].items()}
            if not record:
                continue  # stopped: its record expired
            running = []
            for job_id, raw in values[2 * i + 1].items():
                job = json.loads(raw)
                running.append(
                    RunningJob(job_id.decode(), job["actor"], job["queue"], job.get("started_at"))
                )
            host, _, pid = name.rpartition(":")
            workers.append(
                WorkerProcess(
                    name=name,
                    host=host,
                    pid=pid,
                    queues=[q for q in record.get("queues", "").split(",") if q],
                    threads=int(record.get("threads") or 0),
                    started_at=record.get("started_at"),
                    heartbeat_at=record.get("heartbeat_at"),
                    running=sorted(running, key=lambda r: r.started_at or ""),
                    quiet=name in quiet,
                )
            )
        return sorted(workers, key=lambda w: w.name)

    def broker_heartbeats(self, heartbeat_timeout_ms: int) -> int:
        """Dramatiq broker connections (workers and producers alike) with a recent heartbeat."""
        return self.client.zcount(HEARTBEATS, time.time() * 1000 - heartbeat_timeout_ms, "+inf")
