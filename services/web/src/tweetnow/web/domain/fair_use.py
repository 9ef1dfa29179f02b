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
from datetime import timedelta

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.models import Mail, MailKind, Tweet, TweetStatus, User

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
