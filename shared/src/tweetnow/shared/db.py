"""The two stores every service connects to: the SQL database (peewee) and Redis.

The database handle is a proxy bound at start-up from ``DATABASE_URL``, so
models can be declared before anyone knows where the database is.
"""

from __future__ import annotations

import redis
from peewee import Database, DatabaseProxy
from playhouse.db_url import connect

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


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
