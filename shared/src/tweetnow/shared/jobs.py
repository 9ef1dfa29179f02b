"""Jobs: where one Dramatiq message is in its life, how each attempt ended, and totals.

Dramatiq's own Results backend stores only final outcomes, so every process
writes these records through ``JobStatusMiddleware``; the web reads them for
``GET /api/jobs/{id}`` and the admin dashboard reads the per-minute totals.
Each attempt is kept too, with its error.

How an attempt ended is decided once, by :func:`attempt_outcome`, and job
status, log lines and metrics all take it from there. Whether an attempt is
the last one Dramatiq will make is decided once too, by
:func:`is_last_attempt`, for the workers that must record a final failure on
their own rows before Dramatiq dead-letters the message.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import dramatiq
import redis
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware
from redis.commands.core import Script
from redis.typing import EncodableT, FieldT, KeyT

from .clock import iso, iso_at, utcnow


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


# --- one attempt: how it ended, and whether it was the last ------------------


def attempt_outcome(message: MessageProxy, exception: BaseException | None) -> JobState:
    """How this attempt ended: succeeded, retrying (a retry is queued) or failed for good.

    Only valid in an ``after_process_message`` hook of a middleware placed
    *before* Retries in the list (see ``broker.project_middleware``): "after"
    hooks run in reverse order, so Retries has already marked a message it
    gives up on as failed.
    """
    if exception is None:
        return JobState.SUCCEEDED
    if message.failed:
        return JobState.FAILED
    return JobState.RETRYING


def describe_error(exception: BaseException) -> str:
    text = str(exception).strip()
    return text or type(exception).__name__


def _max_retries(message: dramatiq.Message[Any], actor_max_retries: int) -> int:
    return int(message.options.get("max_retries", actor_max_retries))


def is_last_attempt(message: dramatiq.Message[Any] | None, actor_max_retries: int) -> bool:
    """Whether Dramatiq's Retries dead-letters this message if this attempt fails.

    Retries counts ``retries`` in the message options against ``max_retries``
    (the message's own, if set, else the actor's): the one rule both sides use.
    """
    if message is None:
        return False
    return int(message.options.get("retries", 0)) >= _max_retries(message, actor_max_retries)


def give_attempt_back(message: dramatiq.Message[Any] | None, actor_max_retries: int) -> None:
    """Do not count this attempt against the job's retries (e.g. a wait for a rate limit).

    Retries counts every retry; the message's own ``max_retries`` overrides the
    actor's, so raising it by one gives the attempt back.
    """
    if message is not None:
        message.options["max_retries"] = _max_retries(message, actor_max_retries) + 1


def final_failure(reason: str, *, permanent: bool, last_attempt: bool, attempts: int) -> str | None:
    """Why a failed attempt ends the work for good, or None when a retry follows.

    A permanent failure ends it at once with its own reason; any other failure
    ends it only on the last attempt, saying how many were made.
    """
    if permanent:
        return reason
    if last_attempt:
        return f"gave up after {attempts} attempts: {reason}"
    return None


# --- job status ------------------------------------------------------------


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
    #: host:pid of the process that ran the last attempt: for operators only.
    worker: str | None


@dataclass(frozen=True, kw_only=True)
class Attempt:
    number: int
    worker: str
    started_at: str | None
    finished_at: str | None
    outcome: str
    error: str | None


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def _hash_fields(fields: Mapping[str, object]) -> dict[FieldT, EncodableT]:
    """Redis hash fields: None is stored as an empty string (read back as None)."""
    return {k: ("" if v is None else str(v)) for k, v in fields.items()}


#: Writes fields of a job's hash unless the job was canceled (a canceled job's message
#: may still move and run, and do nothing: it stays canceled), optionally counts an
#: attempt, and renews the hash's TTL; one round trip.
#: KEYS: the job hash. ARGV: ttl, 1 to count an attempt, then field, value, ...
_WRITE_UNLESS_CANCELED = """
if redis.call('HGET', KEYS[1], 'status') == 'canceled' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""

#: Opens an attempt in one round trip: the worker's record of what it runs (when it
#: keeps one, ``worker_registry``) gets the job, whatever its status; the job's hash
#: gets ``running``, its start and its worker, and counts the attempt, unless the job
#: was canceled or this write was already applied (sent again after its answer was
#: lost: the hash keeps the id of the last start write); the hash's TTL is renewed.
#: KEYS: the job hash, then optionally the worker's running-jobs hash.
#: ARGV: ttl, now, this worker, the job id, the running-jobs entry, the write's id.
_START_ATTEMPT = """
if KEYS[2] then redis.call('HSET', KEYS[2], ARGV[4], ARGV[5]) end
if redis.call('HGET', KEYS[1], 'status') == 'canceled' then return 0 end
if redis.call('HGET', KEYS[1], 'start_write') == ARGV[6] then return 1 end
redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[2],
           'next_attempt_at', '', 'worker', ARGV[3], 'start_write', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""

#: Closes the current attempt in one round trip: reads what the attempt record needs,
#: keeps a canceled job canceled, writes the outcome, appends the attempt and counts it,
#: and takes the job off the worker's running-jobs hash. A write already applied (sent
#: again after its answer was lost: the hash keeps the id of the last outcome write)
#: is not written or counted again.
#: KEYS: the job hash, its attempts list, then for each outcome that may be counted
#: (the given one, then 'canceled') its minute counter and its total counter, then
#: optionally the worker's running-jobs hash.
#: ARGV: ttl, state, now, error ('' for none), this worker, keep canceled (1/0),
#: 1 if the state is final, minute counter TTL, the job id, the write's id.
#: Returns the outcome written.
_FINISH_ATTEMPT = """
if KEYS[7] then redis.call('HDEL', KEYS[7], ARGV[9]) end
local cur = redis.call('HMGET', KEYS[1], 'status', 'attempts', 'started_at', 'worker',
                      'finish_write')
if cur[5] == ARGV[10] then return cur[1] end
local state, counters = ARGV[2], 3
if ARGV[6] == '1' and cur[1] == 'canceled' then state, counters = 'canceled', 5 end
local final = ARGV[7] == '1' or state == 'canceled'
if final then
  redis.call('HSET', KEYS[1], 'status', state, 'error', ARGV[4], 'finished_at', ARGV[3],
             'finish_write', ARGV[10])
else
  redis.call('HSET', KEYS[1], 'status', state, 'error', ARGV[4], 'finish_write', ARGV[10])
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
local function text(v) if v == false or v == '' then return cjson.null end return v end
local attempt = cjson.encode({
  number = tonumber(cur[2]) or 0,
  worker = (cur[4] ~= false and cur[4] ~= '') and cur[4] or ARGV[5],
  started_at = text(cur[3]),
  finished_at = ARGV[3],
  outcome = state,
  error = text(ARGV[4]),
})
redis.call('RPUSH', KEYS[2], attempt)
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[counters])
redis.call('EXPIRE', KEYS[counters], ARGV[8])
redis.call('INCR', KEYS[counters + 1])
return state
"""


def new_write_id() -> str:
    """An id for one start or outcome write of a job's attempt. The write carries it and
    the job's hash keeps the last one applied: a write Redis ran but whose answer was lost
    (a timeout, a cut connection) is sent again as it was, and then changes nothing."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class ScriptCall:
    """A Lua script with its keys and arguments, to run now or in someone's pipeline."""

    script: Script
    keys: list[KeyT]
    args: list[EncodableT]

    def run(self) -> Any:
        return self.script(keys=self.keys, args=self.args)

    def add_to(self, pipe: redis.client.Pipeline) -> None:
        """EVALSHA in ``pipe``: no SCRIPT EXISTS round trip first, as a pipeline's own
        scripts would cost; a NoScriptError in its result means: ``run()`` it instead."""
        pipe.evalsha(self.script.sha, len(self.keys), *self.keys, *self.args)


class JobStatusStore:
    """Reads and writes job records: a hash per job plus a list of its attempts.

    Every write is one round trip (a Lua script); a producer can add the enqueue
    write to a pipeline of its own, so it travels with the message itself.
    """

    def __init__(self, client: redis.Redis, *, ttl_s: int, prefix: str = "tweetnow:job:") -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.prefix = prefix
        self._write_unless_canceled = client.register_script(_WRITE_UNLESS_CANCELED)
        self._start_attempt = client.register_script(_START_ATTEMPT)
        self._finish_attempt = client.register_script(_FINISH_ATTEMPT)

    def _key(self, job_id: str) -> str:
        return self.prefix + job_id

    def _write(
        self,
        job_id: str,
        fields: dict[str, object],
        *,
        incr_attempts: bool = False,
        later: list[ScriptCall] | None = None,
    ) -> None:
        args: list[EncodableT] = [self.ttl_s, int(incr_attempts)]
        for name, value in _hash_fields(fields).items():
            args += [name, value]
        call = ScriptCall(self._write_unless_canceled, [self._key(job_id)], args)
        if later is None:
            call.run()
        else:
            later.append(call)

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
        later: list[ScriptCall] | None = None,
    ) -> None:
        """Queued, scheduled or retrying; with ``later``, added to it for the caller to send
        (the broker sends it with the message, in one round trip)."""
        now = utcnow()
        next_at = iso(now + timedelta(milliseconds=delay_ms)) if delay_ms else None
        fields: dict[str, object]
        if retrying:
            fields = {"status": JobState.RETRYING, "next_attempt_at": next_at}
            self._write(job_id, fields, later=later)
            return
        state = JobState.SCHEDULED if delay_ms else JobState.QUEUED
        fields = {
            "status": state,
            "enqueued_at": iso(now),
            "next_attempt_at": next_at,
            "actor": actor,
            "queue": queue,
            "owner_id": owner_id,
            "request_id": request_id,
        }
        self._write(job_id, fields, later=later)

    def record_started(self, job_id: str, *, running: RunningEntry | None = None) -> None:
        """Running, on this worker; with ``running``, the worker's record of what it runs
        gets the job in the same round trip."""
        self.start_call(job_id, running=running).run()

    def start_call(
        self, job_id: str, *, running: RunningEntry | None = None, started_at: str | None = None
    ) -> ScriptCall:
        """``record_started`` as a call to send later (``start_writes.StartWriter``): it
        counts the attempt once, however often it is sent (``new_write_id``)."""
        keys: list[KeyT] = [self._key(job_id)]
        started_at = started_at or iso_at(time.time())
        args: list[EncodableT] = [self.ttl_s, started_at, WORKER_NAME, job_id, "", new_write_id()]
        if running is not None:
            keys.append(running.key)
            args[4] = running.value
        return ScriptCall(self._start_attempt, keys, args)

    def record_finished(
        self,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        keep_canceled: bool = True,
        running_key: str | None = None,
    ) -> None:
        """Close the current attempt: succeeded, retrying (a retry is enqueued) or failed."""
        self.finish_call(
            job_id, state, error=error, keep_canceled=keep_canceled, running_key=running_key
        ).run()

    def finish_call(
        self,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        keep_canceled: bool = True,
        running_key: str | None = None,
    ) -> ScriptCall:
        """``record_finished`` as a call to run later, e.g. with the message's ack; with
        ``running_key``, the job also leaves the worker's record of what it runs. It closes
        the attempt once, however often it is sent (``new_write_id``)."""
        key = self._key(job_id)
        now = time.time()
        minute = int(now) // 60  # epoch_minute
        keys: list[KeyT] = [
            key,
            key + ":attempts",
            minute_key(str(state), minute),
            total_key(str(state)),
            minute_key(JobState.CANCELED, minute),
            total_key(JobState.CANCELED),
        ]
        if running_key is not None:
            keys.append(running_key)
        args: list[EncodableT] = [
            self.ttl_s,
            str(state),
            iso_at(now),
            error or "",
            WORKER_NAME,
            int(keep_canceled),
            int(state in FINAL_STATES),
            MINUTE_TTL_S,
            job_id,
            new_write_id(),
        ]
        return ScriptCall(self._finish_attempt, keys, args)

    def record_canceled(self, job_id: str) -> None:
        self._write(job_id, {"status": JobState.CANCELED, "finished_at": iso(utcnow())})

    # --- readers ------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord | None:
        raw = self.client.hgetall(self._key(job_id))
        if not raw:
            return None
        data = {_text(k) or "": _text(v) or "" for k, v in raw.items()}

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


@dataclass(frozen=True)
class RunningEntry:
    """A job's entry in its worker's record of what it runs: the hash and the value."""

    key: str
    value: str | bytes


class RunningJobs(Protocol):
    """Where a worker keeps what it runs (``worker_registry.WorkerRegistry``)."""

    def running_entry(self, message: MessageProxy, started_at: str) -> RunningEntry | None:
        """The message's entry, or None when this process keeps no such record."""

    def running_key(self) -> str | None:
        """The hash of what this process runs, or None when it keeps none."""


class JobStatusMiddleware(Middleware):
    """Writes queued/scheduled/retrying on enqueue and running/outcome around processing.

    It must sit *before* Retries in the middleware list (see ``attempt_outcome``).
    With ``running``, the worker's record of what it runs is written with the status:
    the job enters it with ``running`` and leaves it with its outcome. A broker that
    offers it (``wakeup.WakeupRedisBroker``) sends ``running`` in a batch, without
    keeping the job waiting (``start_writes``), and the outcome with the message's
    ack or nack, in one transaction; any other broker gets each write at once.
    """

    def __init__(self, store: JobStatusStore, running: RunningJobs | None = None) -> None:
        self.store = store
        self.running = running

    def before_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int | None
    ) -> None:
        # A broker that offers it sends the write with the message (wakeup.WakeupRedisBroker).
        calls_with_enqueue = getattr(broker, "calls_with_enqueue", None)
        self.store.record_enqueued(
            message.message_id,
            actor=message.actor_name,
            queue=message.queue_name.removesuffix(".DQ"),
            delay_ms=delay,
            retrying=bool(message.options.get("retries")),
            owner_id=message.options.get("owner_id"),
            request_id=message.options.get("request_id"),
            later=calls_with_enqueue() if calls_with_enqueue else None,
        )

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        started_at = iso_at(time.time())
        entry = self.running.running_entry(message, started_at) if self.running else None
        call = self.store.start_call(message.message_id, running=entry, started_at=started_at)
        # A broker that offers it sends the write in a batch, before the outcome.
        start_soon = getattr(broker, "start_soon", None)
        if start_soon is None:
            call.run()
        else:
            start_soon(message, call)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        outcome = attempt_outcome(message, exception)
        error = describe_error(exception) if exception is not None else None
        self._finish(broker, message, outcome, error)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._finish(broker, message, JobState.FAILED, "skipped: the message was too old")

    def _finish(
        self, broker: dramatiq.Broker, message: MessageProxy, outcome: JobState, error: str | None
    ) -> None:
        running_key = self.running.running_key() if self.running is not None else None
        call = self.store.finish_call(
            message.message_id, outcome, error=error, running_key=running_key
        )
        calls_with_ack = getattr(broker, "calls_with_ack", None)
        if calls_with_ack is None:
            call.run()
        else:
            calls_with_ack(message).append(call)


# --- totals per minute: the admin dashboard's history -----------------------

#: Every finished attempt adds one to ``tweetnow:stats:<outcome>:<epoch minute>``
#: (kept ~2 hours) and to ``tweetnow:stats:<outcome>:total`` (``_FINISH_ATTEMPT``).
STATS_PREFIX = "tweetnow:stats:"
#: How long a per-minute counter is kept.
MINUTE_TTL_S = 2 * 3600
OUTCOMES = (JobState.SUCCEEDED, JobState.RETRYING, JobState.FAILED, JobState.CANCELED)
#: Outcomes that count as a failed attempt.
FAILED_OUTCOMES = (JobState.RETRYING, JobState.FAILED)


def epoch_minute(when: datetime) -> int:
    return int(when.timestamp()) // 60


def minute_key(outcome: str, minute: int) -> str:
    return f"{STATS_PREFIX}{outcome}:{minute}"


def total_key(outcome: str) -> str:
    return f"{STATS_PREFIX}{outcome}:total"


class JobStats:
    """Reads the counters back: totals and the last ``minutes`` minutes, oldest first."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def totals(self, outcomes: Iterable[str] = OUTCOMES) -> dict[str, int]:
        names = list(outcomes)
        values = self.client.mget([total_key(o) for o in names])
        return {o: int(v or 0) for o, v in zip(names, values, strict=True)}

    def per_minute(
        self, minutes: int = 60, now: datetime | None = None, outcomes: Iterable[str] = OUTCOMES
    ) -> tuple[list[int], dict[str, list[int]]]:
        """The epoch minutes (the current one last) and each outcome's count in each."""
        last = epoch_minute(now or utcnow())
        span = list(range(last - minutes + 1, last + 1))
        names = list(outcomes)
        values = self.client.mget([minute_key(o, m) for o in names for m in span])
        counts = {
            o: [int(v or 0) for v in values[i * minutes : (i + 1) * minutes]]
            for i, o in enumerate(names)
        }
        return span, counts
