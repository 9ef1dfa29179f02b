"""Worker module: the no-op job through tweetnow's broker, contract and middleware
(`python -m dramatiq bench.noop_project -Q bench bench2`)."""

from __future__ import annotations

import dramatiq

from bench.noop_contract import BENCH_NOOP, BENCH_RETRY, QUEUES, Noop, record_pickup
from tweetnow.shared.broker import setup_broker
from tweetnow.shared.contracts import consumes
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.settings import get_settings

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
broker = setup_broker(settings)


@consumes(BENCH_NOOP, broker=broker, retry=BENCH_RETRY)
def bench_noop(payload: Noop) -> None:
    record_pickup(payload.sent_at)


@dramatiq.actor(queue_name=QUEUES[1], actor_name="bench_idle")
def bench_idle() -> None:
    """Only here so the worker consumes a second queue."""
