"""The recurring jobs' actors (schedules declared in tweetnow.shared.periodic).

The scheduler process runs ``periodiq tweetnow.tweeter.periodic``; the tweeter
workers consume the periodic queue and run them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from periodiq import cron

from tweetnow.shared.broker import job_store
from tweetnow.shared.clock import iso, utcnow
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.periodic import (
    CLEANUP,
    DISPATCH_DUE_TWEETS,
    PERIODIC_QUEUE,
    SWEEP_OUTBOX,
    PeriodicJob,
    PeriodicRuns,
)

from . import cleanup as housekeeping
from .dispatch import dispatch_due_tweets
from .runtime import broker, database, redis, settings
from .sweeper import sweep_outbox

log = get_logger(__name__)
runs = PeriodicRuns(redis)


def periodic_actor(job: PeriodicJob) -> Callable[[Callable[[], Any]], dramatiq.Actor]:
    """Declare ``fn`` as the actor of ``job``: one run per tick, however many schedulers."""

    def decorator(fn: Callable[[], Any]) -> dramatiq.Actor:
        def run() -> None:
            message = CurrentMessage.get_current_message()
            tick = message.options.get("scheduled_at") if message is not None else None
            if tick is not None and not runs.claim_tick(job.name, tick):
                log.info("periodic_tick_duplicate", job=job.name, tick=tick)
                return
            started = iso(utcnow())
            with database.connection_context():
                result = fn()
            runs.record(job.name, started_at=started, outcome="succeeded", result=result)
            log.info("periodic_done", job=job.name, tick=tick, result=result)

        run.__name__ = job.name
        return dramatiq.actor(
            run,
            broker=broker,
            actor_name=job.name,
            queue_name=PERIODIC_QUEUE,
            periodic=cron(job.cron),
            max_retries=0,  # the next tick is the retry
        )

    return decorator


@periodic_actor(DISPATCH_DUE_TWEETS)
def dispatch() -> int:
    return dispatch_due_tweets(broker, horizon_s=settings.dispatch_horizon_s)


@periodic_actor(SWEEP_OUTBOX)
def sweep() -> dict:
    return sweep_outbox(broker, job_store(broker), grace_s=settings.sweep_grace_s)


@periodic_actor(CLEANUP)
def cleanup() -> dict[str, int]:
    return housekeeping.cleanup()
