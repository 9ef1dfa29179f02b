"""Overhead and peers: the same no-op job through tweetnow's contract and middleware,
bare Dramatiq, Celery and RQ, on one Redis, one worker process each.

For each system: the enqueue rate from one Python thread, then, with all jobs
waiting in Redis, the rate at which one worker runs them (first to last pickup,
so worker start-up is not counted). :func:`rounds` runs every system in turn,
several times, and keeps each one's best rates: a busy moment of the machine
slows one round of a system, never speeds it up, so its best round is the nearest
to what it can do; the median run rate is kept beside it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import redis

from bench.noop_contract import BENCH_NOOP, Noop
from bench.workers import celery_worker, dramatiq_worker, pickups, rq_worker, wait_pickups
from tests.support.processes import Process
from tweetnow.shared.broker import build_broker
from tweetnow.shared.contracts import send
from tweetnow.shared.settings import Settings


def _measure(
    client: redis.Redis, n: int, enqueue: Callable[[], object], start: Callable[[], Process]
) -> dict[str, float]:
    client.flushdb()
    t0 = time.perf_counter()
    for _ in range(n):
        enqueue()
    enqueue_s = time.perf_counter() - t0
    worker = start()
    try:
        wait_pickups(client, n, timeout=max(120.0, n / 5))
    finally:
        worker.stop()
    picked = sorted(p for _, p in pickups(client))
    return {
        "jobs": n,
        "enqueue_per_s": round(n / enqueue_s, 1),
        "run_per_s": round((n - 1) / (picked[-1] - picked[0]), 1),
    }


def run(redis_url: str, workdir: Path, n: int, rq_n: int) -> dict[str, dict[str, float]]:
    client = redis.Redis.from_url(redis_url)
    results: dict[str, dict[str, float]] = {}

    settings = Settings.from_env({"REDIS_URL": redis_url})
    project = build_broker(settings)
    # Both workers run with the services' worker timeout (tweetnow.shared.worker sets it
    # the same way): Dramatiq's poll cap, and how long our consumer waits on a full prefetch.
    timeout = {"dramatiq_worker_timeout": str(settings.worker_timeout_ms)}
    results["tweetnow"] = _measure(
        client,
        n,
        lambda: send(project, BENCH_NOOP, Noop(sent_at=time.time())),
        lambda: dramatiq_worker(
            "bench.noop_project", redis_url, workdir, "tweetnow", extra_env=timeout
        ),
    )

    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.message import Message

    bare = RedisBroker(url=redis_url, middleware=[])

    def bare_send() -> None:
        bare.enqueue(Message("bench", "bench_noop", (time.time(),), {}, {}))

    results["dramatiq"] = _measure(
        client,
        n,
        bare_send,
        lambda: dramatiq_worker(
            "bench.noop_bare",
            redis_url,
            workdir,
            "bare",
            extra_env=timeout,
        ),
    )

    import os

    os.environ["REDIS_URL"] = redis_url
    from bench.noop_celery import app, bench_noop

    app.conf.broker_url = redis_url
    results["celery"] = _measure(
        client, n, lambda: bench_noop.delay(time.time()), lambda: celery_worker(redis_url, workdir)
    )

    from rq import Queue

    from bench import noop_rq

    queue = Queue("bench", connection=client)
    results["rq"] = _measure(
        client,
        rq_n,
        lambda: queue.enqueue(noop_rq.bench_noop, time.time()),
        lambda: rq_worker(redis_url, workdir),
    )
    return results


def rounds(
    redis_url: str, workdir: Path, n: int, rq_n: int, count: int
) -> dict[str, dict[str, float | list[float]]]:
    """``run`` ``count`` times; per system the best rates, the median run rate, and each
    round's run rate."""
    runs = [run(redis_url, workdir, n, rq_n) for _ in range(count)]
    return {
        system: {
            "jobs": runs[0][system]["jobs"],
            "enqueue_per_s": max(r[system]["enqueue_per_s"] for r in runs),
            "run_per_s": max(r[system]["run_per_s"] for r in runs),
            "median_run_per_s": statistics.median(r[system]["run_per_s"] for r in runs),
            "rounds": [r[system]["run_per_s"] for r in runs],
        }
        for system in runs[0]
    }
