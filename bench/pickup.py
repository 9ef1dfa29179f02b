"""Pickup: how soon an idle worker starts a new job, and what it costs Redis at rest.

Three modes of the same worker (tweetnow's broker and middleware, 1 process x 8
threads, two queues, so four consumers like a tweeter): the wake-up consumer
(WORKER_WAKEUP=1), and Dramatiq's polling consumer (WORKER_WAKEUP=0) at its
default worker_timeout of 1000 ms and at 20 ms (tweetnow's setting before).
"""

from __future__ import annotations

import time
from pathlib import Path

import redis

from bench.noop_contract import BENCH_NOOP, PICKED_KEY, Noop, as_text
from bench.stats import latency_summary
from bench.workers import dramatiq_worker
from tweetnow.shared.broker import build_broker
from tweetnow.shared.contracts import send
from tweetnow.shared.settings import Settings

MODES = {
    "wakeup": {"WORKER_WAKEUP": "1", "dramatiq_worker_timeout": "20"},
    "poll_1000ms": {"WORKER_WAKEUP": "0", "dramatiq_worker_timeout": "1000"},
    "poll_20ms": {"WORKER_WAKEUP": "0", "dramatiq_worker_timeout": "20"},
}


def commands_per_s(client: redis.Redis, seconds: float) -> float:
    """Redis commands/s from INFO's total_commands_processed (our two INFO calls removed)."""
    before = client.info("stats")["total_commands_processed"]
    time.sleep(seconds)
    after = client.info("stats")["total_commands_processed"]
    return round((after - before - 1) / seconds, 1)


def run_mode(redis_url: str, workdir: Path, mode: str, samples: int) -> dict[str, object]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    env = MODES[mode]
    worker = dramatiq_worker(
        "bench.noop_project", redis_url, workdir, f"pickup-{mode}", extra_env=env
    )
    try:
        time.sleep(3)  # let a polling consumer back off to its cap
        cost = commands_per_s(client, 5.0)
        producer = build_broker(
            Settings.from_env({"REDIS_URL": redis_url, "WORKER_WAKEUP": env["WORKER_WAKEUP"]})
        )
        pause_s = 1.5 if mode == "poll_1000ms" else 0.3
        latencies = []
        for _ in range(samples):
            time.sleep(pause_s)  # idle again before each job
            send(producer, BENCH_NOOP, Noop(sent_at=time.time()))
            raw = client.blpop([PICKED_KEY], timeout=10)
            assert raw is not None, "the job did not run within 10 s"
            sent, picked = (float(x) for x in as_text(raw[1]).split())
            latencies.append((picked - sent) * 1000)
    finally:
        worker.stop()
    return {"redis_commands_per_s_at_rest": cost, **latency_summary(latencies)}


def run(redis_url: str, workdir: Path, samples: int) -> dict[str, object]:
    return {mode: run_mode(redis_url, workdir, mode, samples) for mode in MODES}
