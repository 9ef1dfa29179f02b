"""Worker module: the same no-op as a bare Dramatiq actor on a stock RedisBroker
(Dramatiq's default middleware, no contract, no job status)."""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from bench.noop_contract import QUEUES, record_pickup

broker = RedisBroker(url=os.environ["REDIS_URL"])
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name=QUEUES[0], actor_name="bench_noop", max_retries=0)
def bench_noop(sent_at: float) -> None:
    record_pickup(sent_at)


@dramatiq.actor(queue_name=QUEUES[1], actor_name="bench_idle")
def bench_idle() -> None:
    """Only here so the worker consumes a second queue."""
