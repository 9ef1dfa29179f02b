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


def open_database(url: str) -> Database:
    """Bind the shared proxy to the database at ``url`` and return it.

    SQLite transactions begin IMMEDIATE: they take the write lock when they
    start, waiting up to the busy timeout for it. A deferred transaction that
    reads, then writes, cannot wait: if another process wrote in between,
    SQLite fails it at once with "database is locked" (its snapshot is stale),
    which under concurrent sign-ins turned into 503s.
    """
    if url.startswith("sqlite"):
        db = connect(url, pragmas=_SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    else:
        db = connect(url)
    database.initialize(db)
    return db


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
