"""Fair use: how much one person may ask for, checked so that simultaneous requests
cannot all slip under a limit.

A count followed by an insert lets twelve requests that arrive together each see
room for one more. So every limit here is checked inside :func:`one_at_a_time`,
a transaction whose first statement takes the person's own row lock (a no-op
``UPDATE`` of their user row); the row the request adds is written in the same
transaction. PostgreSQL holds that row lock until commit, so a second request
of the same person waits at that statement and then counts the first one's
row; SQLite has one write lock for the whole file, held until commit, so every
other writer waits for it the same way (its ``busy_timeout``). Other people's
requests take other rows and never wait on PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache

from peewee import Field

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.models import Mail, MailKind, Tweet, TweetStatus, User, XConnection

from .errors import TooMany

#: Tweets that count against MAX_PENDING_TWEETS: accepted and not yet on their way to X.
PENDING = (TweetStatus.QUEUED, TweetStatus.SCHEDULED)
#: The window THOUGHTS_PER_HOUR counts thoughts in.
THOUGHTS_WINDOW = timedelta(hours=1)


@contextmanager
def one_at_a_time(user: User) -> Iterator[None]:
    """A transaction in which no other request of ``user``'s checks or writes a limit."""
    with database.atomic():
        User.update(updated_at=User.updated_at).where(User.id == user.id).execute()
        yield


def check_pending_tweets(user: User, limit: int) -> None:
    """TooMany when one more tweet would put ``user`` over ``limit`` queued and scheduled."""
    pending = Tweet.select().where((Tweet.user == user) & Tweet.status.in_(PENDING)).count()
    if pending < limit:
        return
    raise TooMany(
        "Too many pending tweets",
        f"You have {pending:,} tweets queued or scheduled; the limit is {limit:,}. "
        "Wait for some to be sent, or cancel scheduled ones, then post again.",
    )


#: The first key of PostgreSQL's advisory lock on a person's pending tweets (the
#: second is their id).
PENDING_LOCK_CLASS = 15


@cache
def _is_sqlite(database_class: str) -> bool:
    return "Sqlite" in database_class


#: The columns :func:`add_pending_tweet` writes, in order.
_TWEET_COLUMNS: tuple[Field, ...] = (
    Tweet.user,
    Tweet.text,
    Tweet.status,
    Tweet.job_id,
    Tweet.attempts,
    Tweet.request_id,
    Tweet.created_at,
    Tweet.updated_at,
    Tweet.send_at,
    Tweet.dispatched_at,
)


@cache
def _add_pending_tweet_sql(param: str, lock_first: bool) -> str:
    """The conditional insert, written once per database (placeholder ``?`` or ``%s``;
    after PostgreSQL's advisory lock when ``lock_first``).

    The tweet posts as the connection given, or else as the person's sign-in
    account (a subquery); it is written only while the person has fewer pending
    tweets than the limit.
    """
    lock = f"SELECT pg_advisory_xact_lock({param}, {param}); " if lock_first else ""
    columns = ", ".join(f'"{c.column_name}"' for c in _TWEET_COLUMNS)
    values = ", ".join(param for _ in _TWEET_COLUMNS)
    tweet, connection = Tweet._meta.table_name, XConnection._meta.table_name
    statuses = ", ".join(param for _ in PENDING)
    return lock + (
        f'INSERT INTO "{tweet}" ({columns}, "connection_id") '
        f"SELECT {values}, COALESCE({param}, "
        f'(SELECT "id" FROM "{connection}" WHERE "user_id" = {param} AND "x_user_id" = {param})) '
        f'WHERE (SELECT COUNT(*) FROM "{tweet}" '
        f'WHERE "user_id" = {param} AND "status" IN ({statuses})) < {param} '
        'RETURNING "id", "connection_id"'
    )


def add_pending_tweet(
    user: User,
    limit: int,
    *,
    connection_id: int | None,
    text: str,
    status: TweetStatus,
    job_id: str,
    request_id: str | None,
    send_at: datetime | None,
    dispatched_at: datetime | None,
) -> Tweet:
    """Write one tweet of ``user``'s unless it would put them over ``limit`` queued and
    scheduled (TooMany then), in one query that needs no transaction around it.
    ``connection_id`` None posts as their sign-in account."""
    now = to_db(utcnow())
    row = {
        "user": user.id,
        "text": text,
        "status": status,
        "job_id": job_id,
        "attempts": 0,
        "request_id": request_id,
        "created_at": now,
        "updated_at": now,
        "send_at": send_at,
        "dispatched_at": dispatched_at,
    }
    lock_first = not _is_sqlite(type(database.obj).__name__)
    params: list[object] = [PENDING_LOCK_CLASS, user.id] if lock_first else []
    params += [field.db_value(row[field.name]) for field in _TWEET_COLUMNS]
    params += [connection_id, user.id, user.x_user_id, user.id, *map(str, PENDING), limit]
    cursor = database.execute_sql(_add_pending_tweet_sql(database.param, lock_first), params)
    try:
        written = cursor.fetchall()
    finally:
        cursor.close()
    if not written:
        check_pending_tweets(user, limit)  # raises TooMany, saying how many are pending
        raise TooMany("Too many pending tweets", f"The limit is {limit:,} pending tweets.")
    ((tweet_id, written_connection_id),) = written
    del row["user"]
    return Tweet(id=tweet_id, user=user, connection=written_connection_id, **row)


def check_thoughts_per_hour(user: User, per_hour: int) -> None:
    """TooMany once ``user`` has sent ``per_hour`` thoughts in the last hour."""
    now = utcnow()
    recent = Mail.select(Mail.created_at).where(
        (Mail.user == user)
        & (Mail.kind == MailKind.THOUGHT)
        & (Mail.created_at > to_db(now - THOUGHTS_WINDOW))
    )
    if recent.count() < per_hour:
        return
    oldest = recent.order_by(Mail.created_at).first()
    frees_at = oldest.created_at + THOUGHTS_WINDOW if oldest else to_db(now + THOUGHTS_WINDOW)
    wait_s = max(math.ceil((frees_at - to_db(now)).total_seconds()), 1)
    raise TooMany(
        "Too many thoughts",
        f"You can send {per_hour} thoughts an hour. The next one can go in {_minutes(wait_s)}.",
        retry_after=wait_s,
    )


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
