"""The no-op job every benchmarked system runs: record when it was picked up (one RPUSH)."""

from __future__ import annotations

import os
import time

import msgspec
import redis

from tweetnow.shared.contracts import Contract, RetryPolicy

QUEUES = ("bench", "bench2")  # two queues, so a worker has four consumers like a tweeter
PICKED_KEY = "bench:picked"


class Noop(msgspec.Struct):
    sent_at: float


BENCH_NOOP: Contract[Noop] = Contract(
    actor_name="bench_noop",
    queue=QUEUES[0],
    payload=Noop,
    version=1,
    description="Benchmark: do nothing but say when it ran.",
)

#: A no-op never fails; it is not retried if it does.
BENCH_RETRY = RetryPolicy(max_retries=0, min_backoff_ms=100, max_backoff_ms=100)

_client: redis.Redis | None = None


def record_pickup(sent_at: float) -> None:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    _client.rpush(PICKED_KEY, f"{sent_at} {time.time()}")


def as_text(entry: bytes | str) -> str:
    """An entry of PICKED_KEY as read back (bytes, unless the client decodes)."""
    return entry.decode() if isinstance(entry, bytes) else entry
