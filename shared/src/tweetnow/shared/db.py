"""The database handle every service shares, bound at start-up from DATABASE_URL."""

from __future__ import annotations

from peewee import Database, DatabaseProxy
from playhouse.db_url import connect

database = DatabaseProxy()

_SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never block the writer: web and workers share the file
    "busy_timeout": 5000,
    "foreign_keys": 1,
    "synchronous": "normal",
}


def open_database(url: str) -> Database:
    """Bind the shared proxy to the database at ``url`` and return it."""
    pragmas = _SQLITE_PRAGMAS if url.startswith("sqlite") else None
    db = connect(url, pragmas=pragmas) if pragmas else connect(url)
    database.initialize(db)
    return db
