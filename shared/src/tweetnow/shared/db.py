"""The two stores every service connects to: the SQL database (peewee) and Redis.

The database handle is a proxy bound at start-up from ``DATABASE_URL``, so
models can be declared before anyone knows where the database is.
"""

from __future__ import annotations

from typing import Any

import redis
from peewee import Database, DatabaseProxy
from playhouse.db_url import connect
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from .settings import Settings

database = DatabaseProxy()

#: How long an SQLite statement waits for another process's write lock before it fails.
SQLITE_BUSY_TIMEOUT_MS = 5000

_SQLITE_PRAGMAS = {
    # First, so that even switching the journal mode waits for a writer instead of failing.
    "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    "journal_mode": "wal",  # readers never block the writer: web and workers share the file
    "foreign_keys": 1,
    "synchronous": "normal",
}

#: Redis calls fail after this long instead of hanging a request or a job.
REDIS_TIMEOUT_S = 5


#: A pooled connection older than this is closed when it is handed back, not reused.
POOL_RECYCLE_S = 300


def _pooled(url: str) -> str:
    """The same database through playhouse's connection pool (``sqlite+pool://``, ...)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}+pool{sep}{rest}" if "+" not in scheme else url


def open_database(url: str, *, pooled: bool = False) -> Database:
    """Bind the shared proxy to the database at ``url`` and return it.

    ``pooled`` (the web): a connection handed back by ``close()`` is kept open for
    the next request, so a request pays neither a connect nor SQLite's pragmas;
    one that saw an error in a transaction is rolled back first, one that the
    server closed is dropped, and each is replaced after ``POOL_RECYCLE_S``.

    SQLite transactions begin IMMEDIATE: they take the write lock when they
    start, waiting up to the busy timeout for it. A deferred transaction that
    reads, then writes, cannot wait: if another process wrote in between,
    SQLite fails it at once with "database is locked" (its snapshot is stale),
    which under concurrent sign-ins turned into 503s.
    """
    pool = {"max_connections": None, "stale_timeout": POOL_RECYCLE_S} if pooled else {}
    if pooled:
        url = _pooled(url)
    if url.startswith("sqlite"):
        # A pooled connection serves one thread at a time, but not always the same one.
        shared = {"check_same_thread": False} if pooled else {}
        db = connect(url, pragmas=_SQLITE_PRAGMAS, lock_type="IMMEDIATE", **pool, **shared)
    else:
        db = connect(url, **pool)
    database.initialize(db)
    return db


#: How many times a worker's Redis call is tried again after a connection error or
#: a timeout, with pauses growing to ``PATIENT_BACKOFF_CAP_S``: about 30 s in all when
#: Redis refuses connections, longer when it does not answer at all.
PATIENT_RETRIES = 15
PATIENT_BACKOFF_CAP_S = 2.0


def redis_client(settings: Settings, *, patient: bool = False) -> redis.Redis:
    """A Redis client whose calls give up after ``REDIS_TIMEOUT_S``.

    A ``patient`` one (the workers' and the scheduler's) tries each call again
    through a short outage instead: a worker thread that cannot record a retry,
    an ack or a job's outcome would otherwise lose it (the retry never runs, the
    message stays in the worker's ack set, the job reads ``running`` with nothing
    behind it). After a pause of the whole machine, the calls that were waiting
    time out at once on resume, and Redis may come back seconds after the workers.
    The web's client fails fast: its requests answer without Redis (the outbox).
    """
    options: dict[str, Any] = {}
    if patient:
        backoff = ExponentialWithJitterBackoff(base=0.05, cap=PATIENT_BACKOFF_CAP_S)
        options["retry"] = Retry(backoff, PATIENT_RETRIES)  # on ConnectionError and TimeoutError
    return redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
        **options,
    )
