"""Start the job workers the benchmarks compare, each as a real process on loopback."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import redis

from bench.noop_contract import PICKED_KEY, QUEUES, as_text
from tests.support.processes import Process, console_script

READY = "Worker process is ready for action"


def dramatiq_worker(
    module: str, redis_url: str, workdir: Path, name: str, *, extra_env: dict[str, str]
) -> Process:
    """``dramatiq <module>``: one process, eight threads, the two bench queues."""
    argv = [sys.executable, "-m", "dramatiq", module, "-p", "1", "-t", "8", "-Q", *QUEUES]
    env = {"REDIS_URL": redis_url, "LOG_LEVEL": "INFO", **extra_env}
    proc = Process(name, argv, env, workdir / f"{name}.log").start()
    proc.wait_for_log(READY, timeout=60)
    return proc


def celery_worker(redis_url: str, workdir: Path) -> Process:
    """Celery with eight threads (its thread pool: the closest to Dramatiq's -t 8)."""
    argv = [
        console_script("celery"),
        "-A",
        "bench.noop_celery",
        "worker",
        "--pool",
        "threads",
        "--concurrency",
        "8",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "WARNING",
    ]
    return Process("celery", argv, {"REDIS_URL": redis_url}, workdir / "celery.log").start()


def rq_worker(redis_url: str, workdir: Path) -> Process:
    """RQ's default worker: one job at a time, each in a forked work horse."""
    argv = [console_script("rq"), "worker", "--url", redis_url, "--burst", "-q", "bench"]
    return Process("rq", argv, {"REDIS_URL": redis_url}, workdir / "rq.log").start()


def pickups(client: redis.Redis) -> list[tuple[float, float]]:
    """(sent_at, picked_at) of every no-op that ran, in order."""
    out = []
    for raw in client.lrange(PICKED_KEY, 0, -1):
        sent, picked = as_text(raw).split()
        out.append((float(sent), float(picked)))
    return out


def wait_pickups(client: redis.Redis, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while client.llen(PICKED_KEY) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {client.llen(PICKED_KEY)} of {n} jobs ran in {timeout}s")
        time.sleep(0.05)
