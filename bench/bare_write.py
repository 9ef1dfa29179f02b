"""The least a durable accept does, as a second baseline for the web: bare Falcon's POST
(bench/bare_falcon.py) plus one row inserted and committed in the web's database
(``DATABASE_URL``, SQLite or PostgreSQL, in a table of its own) and one Redis command
(``LPUSH`` to a list of its own), answering 202 with the row's id; served by the same
gunicorn settings as the web
(`gunicorn -c python:tweetnow.web.gunicorn_conf bench.bare_write:app`). It holds
none of the web's bookkeeping (auth, validation, the pending limit, the job's status
and message, logs, metrics), so the accept against it says what that costs beyond
the write itself. It is an app of its own, so that bare Falcon's workers, whose
memory ``make bench`` reports beside the web's, import neither Redis nor a database.

Each gunicorn thread keeps one database connection, opened at its first write, with
the web's SQLite settings (WAL, ``synchronous=normal``, a 5 s busy timeout, write
transactions that take the lock at ``BEGIN``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

import falcon
import redis

from bench.bare_falcon import Health

#: The bare write's table and Redis list.
TABLE, LIST = "bare_writes", "bench:bare-writes"
SQLITE_PREFIX = "sqlite:///"

_local = threading.local()


def _database_url() -> str:
    return os.environ.get("DATABASE_URL", f"{SQLITE_PREFIX}bare.sqlite3")


def _connect() -> Any:
    url = _database_url()
    if url.startswith(SQLITE_PREFIX):
        conn = sqlite3.connect(url.removeprefix(SQLITE_PREFIX), isolation_level="IMMEDIATE")
        conn.execute("pragma busy_timeout = 5000")
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")
        return conn
    import psycopg2  # the bench's PostgreSQL rows only

    return psycopg2.connect(url)


def _create_table() -> None:
    """Made once, before the workers fork (gunicorn preloads this module)."""
    conn = _connect()
    try:
        key = (
            "integer primary key" if isinstance(conn, sqlite3.Connection) else "serial primary key"
        )
        conn.cursor().execute(
            f"create table if not exists {TABLE} (id {key}, text text not null, at text not null)"
        )
        conn.commit()
    finally:
        conn.close()


class Write:
    def __init__(self) -> None:
        self.redis = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        self.marker = "?" if _database_url().startswith(SQLITE_PREFIX) else "%s"

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        text = req.get_media().get("text", "")
        conn = getattr(_local, "conn", None)
        if conn is None:
            conn = _local.conn = _connect()
        cursor = conn.cursor()
        cursor.execute(
            f"insert into {TABLE} (text, at) values ({self.marker}, current_timestamp)"
            " returning id",
            (text,),
        )
        (row_id,) = cursor.fetchone()
        conn.commit()
        self.redis.lpush(LIST, row_id)
        resp.status = falcon.HTTP_202
        resp.media = {"id": row_id}


_create_table()
app = falcon.App()
app.add_route("/healthz", Health())
app.add_route("/api/writes", Write())
