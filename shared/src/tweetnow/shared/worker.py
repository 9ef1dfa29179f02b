"""The one bootstrap of every worker service: settings, logs, database, broker, actors.

A worker service (tweeter, mailer) is declared as a :class:`WorkerService`:
its queues, the middleware it adds, and a function that declares its actors
on a :class:`WorkerRuntime`. Its console script calls :func:`run_worker`,
which replaces the process with ``dramatiq <service's boot function> --queues
...``; Dramatiq (and periodiq, for the scheduler) import that function and
call it in every process they start, and it calls :func:`boot`. Both read
the settings through ``startup_settings``: unsafe settings stop the service
before Dramatiq starts.

Each service consumes only its own queues: a Dramatiq worker dead-letters a
message for an actor it does not have, so a tweeter must never take mail.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Middleware
from peewee import Database

from .broker import setup_broker
from .db import open_database, redis_client
from .logs import configure_logging
from .settings import Settings, startup_settings


@dataclass(frozen=True)
class WorkerRuntime:
    """What a booted worker process has set up, handed to the code that declares actors."""

    settings: Settings
    broker: RedisBroker
    database: Database
    redis: redis.Redis


@dataclass(frozen=True, kw_only=True)
class WorkerService:
    #: The queues this service consumes, and only these.
    queues: tuple[str, ...]
    #: ``module:function`` that calls :func:`boot` for this service (Dramatiq imports it).
    boot_function: str
    #: Declares the service's actors on the booted broker.
    declare_actors: Callable[[WorkerRuntime], None]
    #: Middleware the service adds to the project's, made anew in each process.
    middleware: Callable[[], Sequence[Middleware]] = field(default=lambda: ())


def boot(service: WorkerService, settings: Settings | None = None) -> WorkerRuntime:
    """Set up this process for ``service``: logs, database, broker, then its actors."""
    settings = settings or startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    runtime = WorkerRuntime(
        settings=settings,
        database=open_database(settings.database_url),
        broker=setup_broker(settings, service.middleware()),
        redis=redis_client(settings, patient=True),
    )
    service.declare_actors(runtime)
    return runtime


def run_worker(service: WorkerService) -> NoReturn:
    """Replace this process with ``dramatiq <boot function> --queues ...`` (never returns)."""
    settings = startup_settings()
    # Dramatiq's Redis consumer polls; its idle sleep is capped by this timeout
    # (read from the environment by dramatiq.worker at import time).
    os.environ["dramatiq_worker_timeout"] = str(settings.worker_timeout_ms)  # noqa: SIM112
    argv = [
        sys.executable,
        "-m",
        "dramatiq",
        service.boot_function,
        "--queues",
        *service.queues,
        "--processes",
        str(settings.worker_processes),
        "--threads",
        str(settings.worker_threads),
        *sys.argv[1:],
    ]
    os.execv(sys.executable, argv)
