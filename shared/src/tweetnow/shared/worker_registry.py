"""Which worker processes are alive, on which host, running what: for the admin dashboard.

Dramatiq keeps heartbeats under random broker ids only. In worker processes
(``after_worker_boot``; never in the web or the scheduler) this middleware
keeps ``tweetnow:workers:<hostname:pid>`` (queues, threads, started_at,
heartbeat, and the broker id Dramatiq heartbeats under; expires ~30 s after
the process stops refreshing it), the jobs it is running in ``…:running``
(message id → actor and start time; written by the job status scripts, in the
same round trips as ``running`` and the outcome), the operator's quiet flag in ``…:quiet``
(``tweetnow.shared.operator_controls``: refreshed with the record, so it ends
with the process, and deleted at boot, so a new process under a reused host
and pid is not born quiet), and its name in
the sorted set ``tweetnow:workers`` scored by heartbeat, so the dashboard lists
workers without scanning keys.
"""

from __future__ import annotations

import threading
import time

import dramatiq
import msgspec
import redis
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware
from redis.typing import EncodableT, FieldT

from .clock import iso, utcnow
from .jobs import WORKER_NAME, RunningEntry
from .logs import get_logger

#: The running entries' JSON (msgspec's encoder: a few times json.dumps's speed).
_json = msgspec.json.Encoder()

log = get_logger(__name__)

PREFIX = "tweetnow:workers"
#: How often a worker refreshes its record, and how long the record outlives silence.
HEARTBEAT_INTERVAL_S = 5.0
RECORD_TTL_S = 30


def worker_key(name: str) -> str:
    return f"{PREFIX}:{name}"


def running_key(name: str) -> str:
    return f"{PREFIX}:{name}:running"


def quiet_key(name: str) -> str:
    return f"{PREFIX}:{name}:quiet"


#: A worker whose record is older than this is not taken to be running anything.
ALIVE_WITHIN_S = 3 * HEARTBEAT_INTERVAL_S


def runs_now(client: redis.Redis, worker: str | None, job_id: str) -> bool:
    """Whether the worker process ``worker`` (host:pid) beat within ``ALIVE_WITHIN_S``
    and is running job ``job_id``.

    A job's status says ``running`` from its start until its worker records the
    outcome; if that process died, froze or lost Redis in between, nothing runs
    it any more though the status still says so. This is how the sweeper and
    the job's readers tell the two apart.
    """
    if not worker:
        return False
    pipe = client.pipeline(transaction=False)
    pipe.zscore(PREFIX, worker)
    pipe.hexists(running_key(worker), job_id)
    beat_at, running = pipe.execute()
    return bool(running) and beat_at is not None and beat_at > time.time() - ALIVE_WITHIN_S


class WorkerRegistry(Middleware):
    def __init__(self, *, name: str = WORKER_NAME, interval_s: float = HEARTBEAT_INTERVAL_S):
        self.name = name
        self._running_key = running_key(name)
        self.interval_s = interval_s
        self.client: redis.Redis | None = None
        #: The record's fixed fields, written again with every beat: a process that
        #: was stalled past RECORD_TTL_S comes back with its whole record.
        self._record: dict[FieldT, EncodableT] = {}
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.client = broker.client  # type: ignore[attr-defined]  # a RedisBroker's client
        queues = sorted(worker.consumer_whitelist or broker.get_declared_queues())
        self.client.delete(running_key(self.name), quiet_key(self.name))
        self._record = {
            "name": self.name,
            # Dramatiq's own heartbeat is kept under this id (tweetnow.shared.worker_health).
            "broker_id": broker.broker_id,  # type: ignore[attr-defined]  # a RedisBroker's id
            "queues": ",".join(q for q in queues if not q.endswith(".DQ")),
            "threads": worker.worker_threads,
            "started_at": iso(utcnow()) or "",
        }
        self._beat()
        threading.Thread(
            target=self._beat_until_stopped, name="worker-registry", daemon=True
        ).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        if self.client is None:
            return
        try:
            pipe = self.client.pipeline()
            pipe.delete(worker_key(self.name), running_key(self.name), quiet_key(self.name))
            pipe.zrem(PREFIX, self.name)
            pipe.execute()
        except redis.RedisError:
            pass

    def running_entry(self, message: MessageProxy, started_at: str) -> RunningEntry | None:
        """The job's entry in ``…:running``, for the job status to write with ``running``
        (``jobs.JobStatusMiddleware``): one round trip for both."""
        if self.client is None:
            return None
        job = {"actor": message.actor_name, "queue": message.queue_name, "started_at": started_at}
        return RunningEntry(self._running_key, _json.encode(job))

    def running_key(self) -> str | None:
        """``…:running``, which the job status script leaves with the outcome; None
        before the worker booted (and in processes that only send)."""
        return None if self.client is None else self._running_key

    def _beat(self) -> None:
        assert self.client is not None
        now = time.time()
        pipe = self.client.pipeline()
        record: dict[FieldT, EncodableT] = {**self._record, "heartbeat_at": iso(utcnow()) or ""}
        pipe.hset(worker_key(self.name), mapping=record)
        pipe.expire(worker_key(self.name), RECORD_TTL_S)
        pipe.expire(running_key(self.name), RECORD_TTL_S)
        pipe.expire(quiet_key(self.name), RECORD_TTL_S)
        pipe.zadd(PREFIX, {self.name: now})
        pipe.zremrangebyscore(PREFIX, 0, now - RECORD_TTL_S)
        pipe.execute()

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._beat()
            except redis.RedisError as exc:
                log.warning("worker_heartbeat_failed", error=str(exc))
