"""A no-op Dramatiq worker on a real Redis, for tests of how consumers fetch and wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dramatiq
from dramatiq import Worker

from tweetnow.shared.wakeup import WakeupRedisBroker

QUEUE = "wq"


def wakeup_broker(url: str, **kwargs: object) -> WakeupRedisBroker:
    return WakeupRedisBroker(url=url, middleware=[], **kwargs)


@contextmanager
def running_worker(
    broker: dramatiq.Broker, on_message: Callable[[float], None] = lambda t: None
) -> Iterator[list[float]]:
    """A Dramatiq worker with one no-op actor on QUEUE; yields when each message ran."""
    ran: list[float] = []

    def noop(sent_at: float) -> None:
        ran.append(time.time())
        on_message(sent_at)

    dramatiq.actor(noop, actor_name="noop", queue_name=QUEUE, broker=broker)
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        yield ran
    finally:
        worker.stop()


def send(broker: dramatiq.Broker, delay: int | None = None) -> float:
    sent_at = time.time()
    message = dramatiq.Message(
        queue_name=QUEUE, actor_name="noop", args=(sent_at,), kwargs={}, options={}
    )
    broker.enqueue(message, delay=delay)
    return sent_at
