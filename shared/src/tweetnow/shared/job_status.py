"""Job status: where one Dramatiq message is in its life, kept in Redis.

Dramatiq's own Results backend stores only final outcomes, so every process
writes these records through JobStatusMiddleware; the web reads them for
``GET /api/jobs/{id}``. Each attempt is kept too, with its error.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import timedelta
from enum import StrEnum

import redis

from .clock import iso, utcnow
from .job_stats import count_outcome


class JobState(StrEnum):
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELED})

#: The name this process reports as the worker that ran a job.
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, kw_only=True)
class JobRecord:
    id: str
    status: str
    attempts: int
    error: str | None
    enqueued_at: str | None
    started_at: str | None
    finished_at: str | None
    next_attempt_at: str | None
    actor: str | None
    queue: str | None
    owner_id: str | None
    request_id: str | None
    worker: str | None

    def public(self) -> dict[str, object]:
        """The fields an API client sees."""
        data = asdict(self)
        data.pop("owner_id")
        return data


@dataclass(frozen=True, kw_only=True)
class Attempt:
    number: int
    worker: str
    started_at: str | None
    finished_at: str | None
    outcome: str
    error: str | None


class JobStatusStore:
    """Reads and writes job records: a hash per job plus a list of its attempts."""

    def __init__(self, client: redis.Redis, *, ttl_s: int, prefix: str = "tweetnow:job:") -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.prefix = prefix

    def _key(self, job_id: str) -> str:
        return self.prefix + job_id

    def _write(
        self, job_id: str, fields: dict[str, object], *, incr_attempts: bool = False
    ) -> None:
        key = self._key(job_id)
        mapping = {k: ("" if v is None else str(v)) for k, v in fields.items()}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping=mapping)
        if incr_attempts:
            pipe.hincrby(key, "attempts", 1)
        pipe.expire(key, self.ttl_s)
        pipe.execute()

    # --- writers (called by the middleware and the producers) -------------

    def record_enqueued(
        self,
        job_id: str,
        *,
        actor: str,
        queue: str,
        delay_ms: int | None,
        retrying: bool,
        owner_id: str | None,
        request_id: str | None,
    ) -> None:
        if self._canceled(job_id):
            return
        now = utcnow()
        next_at = iso(now + timedelta(milliseconds=delay_ms)) if delay_ms else None
        if retrying:
            self._write(job_id, {"status": JobState.RETRYING, "next_attempt_at": next_at})
            return
        state = JobState.SCHEDULED if delay_ms else JobState.QUEUED
        fields: dict[str, object] = {
            "status": state,
            "enqueued_at": iso(now),
            "next_attempt_at": next_at,
            "actor": actor,
            "queue": queue,
            "owner_id": owner_id,
            "request_id": request_id,
        }
        self._write(job_id, fields)

    def _canceled(self, job_id: str) -> bool:
        """A canceled job's message may still move and run (and do nothing): it stays canceled."""
        return self.client.hget(self._key(job_id), "status") == JobState.CANCELED.encode()

    def record_started(self, job_id: str) -> None:
        if self._canceled(job_id):
            return
        self._write(
            job_id,
            {
                "status": JobState.RUNNING,
                "started_at": iso(utcnow()),
                "next_attempt_at": None,
                "worker": WORKER_NAME,
            },
            incr_attempts=True,
        )

    def record_finished(
        self, job_id: str, state: JobState, *, error: str | None = None, keep_canceled: bool = True
    ) -> None:
        """Close the current attempt: succeeded, retrying (a retry is enqueued) or failed."""
        key = self._key(job_id)
        current = self.client.hmget(key, "status", "attempts", "started_at", "worker")
        status, attempts, started_at, worker = (v.decode() if v else None for v in current)
        if keep_canceled and status == JobState.CANCELED:
            state = JobState.CANCELED
        now = iso(utcnow())
        fields: dict[str, object] = {"status": state, "error": error}
        if state in FINAL_STATES:
            fields["finished_at"] = now
        attempt = Attempt(
            number=int(attempts or 0),
            worker=worker or WORKER_NAME,
            started_at=started_at,
            finished_at=now,
            outcome=str(state),
            error=error,
        )
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping={k: ("" if v is None else str(v)) for k, v in fields.items()})
        pipe.expire(key, self.ttl_s)
        pipe.rpush(key + ":attempts", json.dumps(asdict(attempt)))
        pipe.expire(key + ":attempts", self.ttl_s)
        count_outcome(pipe, str(state))
        pipe.execute()

    def record_canceled(self, job_id: str) -> None:
        self._write(job_id, {"status": JobState.CANCELED, "finished_at": iso(utcnow())})

    # --- readers ------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord | None:
        raw = self.client.hgetall(self._key(job_id))
        if not raw:
            return None
        data = {k.decode(): v.decode() for k, v in raw.items()}

        def opt(name: str) -> str | None:
            return data.get(name) or None

        return JobRecord(
            id=job_id,
            status=data.get("status", JobState.QUEUED),
            attempts=int(data.get("attempts") or 0),
            error=opt("error"),
            enqueued_at=opt("enqueued_at"),
            started_at=opt("started_at"),
            finished_at=opt("finished_at"),
            next_attempt_at=opt("next_attempt_at"),
            actor=opt("actor"),
            queue=opt("queue"),
            owner_id=opt("owner_id"),
            request_id=opt("request_id"),
            worker=opt("worker"),
        )

    def attempts(self, job_id: str) -> list[Attempt]:
        rows = self.client.lrange(self._key(job_id) + ":attempts", 0, -1)
        return [Attempt(**json.loads(r)) for r in rows]
