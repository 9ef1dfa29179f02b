"""The one place a Dramatiq broker is built: Redis, with the project's middleware.

Producers (the web) build one with :func:`build_broker`; a worker process sets
its own up once with :func:`setup_broker`, before any actor is declared (the
worker bootstrap, ``tweetnow.shared.worker``, does it).
"""

from __future__ import annotations

from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit, CurrentMessage, Middleware, Retries, TimeLimit

from .db import redis_client
from .jobs import JobStatusMiddleware, JobStatusStore
from .logs import LogContextMiddleware
from .metrics import JobMetrics
from .settings import Settings
from .wakeup import WakeupRedisBroker
from .worker_registry import WorkerRegistry

#: Dramatiq's default middleware that this project uses, in Dramatiq's order. Its other
#: defaults (Callbacks, Pipelines, ShutdownNotifications) serve actor options that no
#: actor here declares, and a broker calls every middleware for every message: an actor
#: that declared one of those options would fail at import ("unknown options").
DRAMATIQ_MIDDLEWARE: tuple[type[Middleware], ...] = (AgeLimit, TimeLimit, Retries)


def project_middleware(store: JobStatusStore) -> list[Middleware]:
    """Dramatiq's middleware we use, plus job status, log context, metrics and the current
    message."""
    middleware: list[Middleware] = []
    registry = WorkerRegistry()
    for cls in DRAMATIQ_MIDDLEWARE:
        if cls is Retries:
            # Before Retries in the list: "after" hooks run in reverse order, so
            # these see the outcome Retries decided (jobs.attempt_outcome).
            middleware += [
                JobStatusMiddleware(store, running=registry),
                LogContextMiddleware(),
                JobMetrics(),
            ]
        middleware.append(cls())
    return [*middleware, CurrentMessage(), registry]


def build_broker(
    settings: Settings, extra_middleware: Sequence[Middleware] = (), *, patient: bool = False
) -> RedisBroker:
    """A broker for ``settings``; a ``patient`` one's Redis calls ride out a short outage
    (``tweetnow.shared.db.redis_client``): the workers' and the scheduler's."""
    client = redis_client(settings, patient=patient)
    store = JobStatusStore(client, ttl_s=settings.job_status_ttl_s)
    broker_class = WakeupRedisBroker if settings.worker_wakeup else RedisBroker
    return broker_class(
        client=client,
        middleware=[*project_middleware(store), *extra_middleware],
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        maintenance_chance=settings.maintenance_chance,
        dead_message_ttl=settings.dead_message_ttl_ms,
    )


def setup_broker(settings: Settings, extra_middleware: Sequence[Middleware] = ()) -> RedisBroker:
    """Build this process's broker and make it Dramatiq's global broker.

    The Dramatiq and periodiq command lines find the broker there. Its Redis
    client is patient: a worker thread waits out a short Redis outage rather than
    lose a retry, an ack or a job's outcome.
    """
    broker = build_broker(settings, extra_middleware, patient=True)
    dramatiq.set_broker(broker)
    return broker


def job_store(broker: dramatiq.Broker) -> JobStatusStore:
    for m in broker.middleware:
        if isinstance(m, JobStatusMiddleware):
            return m.store
    raise LookupError("the broker has no JobStatusMiddleware")
