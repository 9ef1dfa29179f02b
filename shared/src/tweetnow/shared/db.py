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

_SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never block the writer: web and workers share the file
    "busy_timeout": 5000,
    "foreign_keys": 1,
    "synchronous": "normal",
}

#: Redis calls fail after this long instead of hanging a request or a job.
REDIS_TIMEOUT_S = 5


def open_database(url: str) -> Database:
    """Bind the shared proxy to the database at ``url`` and return it."""
    pragmas = _SQLITE_PRAGMAS if url.startswith("sqlite") else None
    db = connect(url, pragmas=pragmas) if pragmas else connect(url)
    database.initialize(db)
    return db


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
