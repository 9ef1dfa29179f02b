"""A worker container's health check reads Dramatiq's own heartbeat for this host's
live worker processes (tweetnow.shared.worker_health)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import redis

from tweetnow.shared.worker_health import HEARTBEATS_KEY, heartbeat_problems
from tweetnow.shared.worker_registry import PREFIX, WorkerRegistry, worker_key

HOST = "worker-host"
NOW_MS = 1_000_000_000.0
TIMEOUT_MS = 3000


def register(client: redis.Redis, pid: int, broker_id: str, beat_ms: float | None) -> str:
    """What WorkerRegistry and Dramatiq's consumers leave in Redis for one process."""
    name = f"{HOST}:{pid}"
    client.zadd(PREFIX, {name: NOW_MS / 1000})
    client.hset(worker_key(name), mapping={"name": name, "broker_id": broker_id})
    if beat_ms is not None:
        client.zadd(HEARTBEATS_KEY, {broker_id: beat_ms})
    return name


def a_dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_healthy_while_every_live_worker_heartbeats(redis_client: redis.Redis):
    register(redis_client, os.getpid(), "broker-a", NOW_MS - 500)
    assert heartbeat_problems(redis_client, HOST, TIMEOUT_MS, NOW_MS) == []


def test_unhealthy_once_a_live_workers_heartbeat_is_older_than_the_timeout(
    redis_client: redis.Redis,
):
    name = register(redis_client, os.getpid(), "broker-a", NOW_MS - TIMEOUT_MS - 1)
    (problem,) = heartbeat_problems(redis_client, HOST, TIMEOUT_MS, NOW_MS)
    assert problem.startswith(f"{name}: last Dramatiq heartbeat 3001 ms ago")


def test_unhealthy_when_dramatiq_has_no_heartbeat_for_it(redis_client: redis.Redis):
    name = register(redis_client, os.getpid(), "broker-a", None)
    assert heartbeat_problems(redis_client, HOST, TIMEOUT_MS, NOW_MS) == [
        f"{name}: no Dramatiq heartbeat on record"
    ]


def test_unhealthy_without_a_registered_worker_process(redis_client: redis.Redis):
    register(redis_client, os.getpid(), "broker-a", NOW_MS)
    assert heartbeat_problems(redis_client, "another-host", TIMEOUT_MS, NOW_MS) == [
        "no running Dramatiq worker process of another-host is registered"
    ]


def test_processes_that_ended_are_not_counted(redis_client: redis.Redis):
    """A record a killed process left behind neither makes the host healthy nor unhealthy."""
    register(redis_client, a_dead_pid(), "broker-gone", NOW_MS - 60_000)
    assert heartbeat_problems(redis_client, HOST, TIMEOUT_MS, NOW_MS) == [
        f"no running Dramatiq worker process of {HOST} is registered"
    ]
    register(redis_client, os.getpid(), "broker-a", NOW_MS)
    assert heartbeat_problems(redis_client, HOST, TIMEOUT_MS, NOW_MS) == []


def test_a_worker_stalled_past_its_records_expiry_comes_back_with_its_broker_id(
    redis_client: redis.Redis,
):
    """The registry rewrites the whole record with each beat, so the health check
    finds the broker id again once a stalled process (its record expired) resumes."""
    registry = WorkerRegistry(name=f"{HOST}:{os.getpid()}", interval_s=0.05)
    broker = SimpleNamespace(client=redis_client, get_declared_queues=set, broker_id="broker-a")
    worker = SimpleNamespace(consumer_whitelist={"tweets"}, worker_threads=8)
    registry.after_worker_boot(broker, worker)
    try:
        redis_client.delete(worker_key(registry.name))  # what RECORD_TTL_S does to a stall
        deadline = time.monotonic() + 30
        while redis_client.hget(worker_key(registry.name), "broker_id") != b"broker-a":
            assert time.monotonic() < deadline, "the record did not come back"
            time.sleep(0.05)
        assert redis_client.hget(worker_key(registry.name), "queues") == b"tweets"
    finally:
        registry.before_worker_shutdown(broker, worker)
