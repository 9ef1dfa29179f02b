"""The worker processes alive now, from the shared WorkerRegistry's records."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from tweetnow.shared.worker_registry import PREFIX, RECORD_TTL_S, running_key, worker_key

from .broker_keys import HEARTBEATS


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


def alive_workers(client: redis.Redis) -> list[WorkerProcess]:
    names = client.zrangebyscore(PREFIX, time.time() - RECORD_TTL_S, "+inf", start=0, num=500)
    pipe = client.pipeline(transaction=False)
    for n in names:
        pipe.hgetall(worker_key(n.decode()))
        pipe.hgetall(running_key(n.decode()))
    values = pipe.execute()
    workers = []
    for i, n in enumerate(names):
        record = {k.decode(): v.decode() for k, v in values[2 * i].items()}
        if not record:
            continue  # stopped: its record expired
        running = []
        for job_id, raw in values[2 * i + 1].items():
            job = json.loads(raw)
            running.append(
                RunningJob(job_id.decode(), job["actor"], job["queue"], job.get("started_at"))
            )
        name = n.decode()
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
            )
        )
    return sorted(workers, key=lambda w: w.name)


def broker_heartbeats(client: redis.Redis, heartbeat_timeout_ms: int) -> int:
    """Dramatiq broker connections (workers and producers alike) with a recent heartbeat."""
    return client.zcount(HEARTBEATS, time.time() * 1000 - heartbeat_timeout_ms, "+inf")
