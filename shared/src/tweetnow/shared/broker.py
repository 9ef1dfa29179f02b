"""The one place a Dramatiq broker is built: Redis, with the project's middleware.

Import-time order matters for consumers: call ``setup_broker()`` before any
actor is declared (the consumer decorator does it for you).
"""

from __future__ import annotations

from collections.abc import Sequence

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage, Middleware, Retries, default_middleware

from .job_middleware import JobStatusMiddleware
from .job_status import JobStatusStore
from .log_context import LogContextMiddleware
from .metrics_jobs import JobMetrics
from .settings import Settings, get_settings
from .wakeup_broker import WakeupRedisBroker
from .worker_registry import WorkerRegistry

_broker: RedisBroker | None = None


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)


def project_middleware(store: JobStatusStore) -> list[Middleware]:
    """Dramatiq's defaults plus job status, the current message and log context."""
    middleware: list[Middleware] = []
    for cls in default_middleware:
        if cls is Retries:
            # Before Retries in the list: "after" hooks run in reverse order, so
            # these see the outcome Retries decided (retry, or fail for good).
            middleware += [JobStatusMiddleware(store), LogContextMiddleware(), JobMetrics()]
        middleware.append(cls())
    return [*middleware, CurrentMessage(), WorkerRegistry()]


def build_broker(settings: Settings, extra_middleware: Sequence[Middleware] = ()) -> RedisBroker:
    client = redis_client(settings)
    store = JobStatusStore(client, ttl_s=settings.job_status_ttl_s)
    broker_class = WakeupRedisBroker if settings.worker_wakeup else RedisBroker
    return broker_class(
        client=client,
        middleware=[*project_middleware(store), *extra_middleware],
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        maintenance_chance=settings.maintenance_chance,
        dead_message_ttl=settings.dead_message_ttl_ms,
    )


def setup_broker(
    settings: Settings | None = None, extra_middleware: Sequence[Middleware] = ()
) -> RedisBroker:
    """Build the process-wide broker once and make it Dramatiq's global broker."""
    global _broker
    if _broker is None:
        _broker = build_broker(settings or get_settings(), extra_middleware)
        dramatiq.set_broker(_broker)
    return _broker


def job_store(broker: dramatiq.Broker) -> JobStatusStore:
    for m in broker.middleware:
        if isinstance(m, JobStatusMiddleware):
            return m.store
    raise LookupError("the broker has no JobStatusMiddleware")
