"""``tweetnow-seed``: fill the database at ``DATABASE_URL`` with many people and a
million tweets (by default) shaped like a running system's, to measure the queries
against. Never in production.

The shape: ``--people`` people, each with the X account they signed in with; a few of
them (``--heavy``) post ``--heavy-share`` of all tweets between them (a million tweets:
three people with about 100,000 each), the rest spread evenly. Tweets are spread over
the last 180 days, in id order. Statuses as a running system has them: mostly
``sent``, some ``failed`` and ``canceled``, and a few ``scheduled`` between 200 and
360 days ahead.

No seeded row is work for the workers, so a stack started on a seeded database posts
nothing: none is ``queued``, ``sending`` or ``held``, which the sweeper would send again
after ``SWEEP_GRACE_S``; the dispatcher takes a ``scheduled`` tweet only when its
``send_at`` comes within its horizon (200 days from the seeding at the earliest); and
no job is enqueued for any row. The seeded people's X tokens are placeholders that X
(or the sandbox) refuses.

Rows go in with PostgreSQL's ``COPY`` (or, on SQLite, ``executemany``), in batches of
``--batch`` rows, each batch its own transaction; the planner's statistics are
refreshed at the end. Run it again to add more tweets to the same people.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Database, PostgresqlDatabase

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import open_database
from tweetnow.shared.logs import configure_logging, get_logger
from tweetnow.shared.models import ConnectionStatus, TweetStatus, User, XConnection
from tweetnow.shared.settings import PRODUCTION, get_settings, startup_settings

log = get_logger(__name__)

#: The exit status when asked to seed a production database (EX_CONFIG, as a refused start).
REFUSED = 78

#: How far back the seeded tweets reach, and where the scheduled ones fall.
HISTORY = timedelta(days=180)
SCHEDULED_FROM = timedelta(days=200)
SCHEDULED_TO = timedelta(days=360)

#: Shares of the statuses, in this order; the rest are ``sent``.
STATUS_SHARES: tuple[tuple[TweetStatus, float], ...] = (
    (TweetStatus.SCHEDULED, 0.001),
    (TweetStatus.FAILED, 0.04),
    (TweetStatus.CANCELED, 0.025),
)

#: Failure reasons as the tweeter writes them.
FAILURES = (
    "X refused the post: You are not allowed to create a Tweet with duplicate content.",
    "X kept failing (503 Service Unavailable) after 5 attempts.",
    "X refused the post: Your Tweet text is too long.",
)

WORDS = (
    "shipping", "coffee", "release", "notes", "weekend", "python", "queue", "morning",
    "thread", "launch", "tea", "deploy", "review", "bug", "fixed", "today", "again",
)  # fmt: skip

#: The tweet columns written, in the order of each generated row.
COLUMNS = (
    "user_id",
    "connection_id",
    "text",
    "status",
    "job_id",
    "x_tweet_id",
    "error",
    "attempts",
    "created_at",
    "updated_at",
    "sent_at",
    "send_at",
)

Row = tuple[object, ...]


@dataclass(frozen=True)
class Shape:
    tweets: int
    people: int
    heavy: int
    heavy_share: float
    seed: int


def parse_args(argv: Sequence[str] | None) -> tuple[Shape, int]:
    parser = argparse.ArgumentParser(
        prog="tweetnow-seed",
        description="Fill DATABASE_URL with people and tweets to measure queries against "
        "(never in production). No job is enqueued and no seeded row is due work.",
    )
    parser.add_argument("--tweets", type=int, default=1_000_000, help="tweet rows to add")
    parser.add_argument("--people", type=int, default=10_000, help="people posting them")
    parser.add_argument("--heavy", type=int, default=3, help="heavy posters among them")
    parser.add_argument(
        "--heavy-share", type=float, default=0.3, help="the heavy posters' share of tweets"
    )
    parser.add_argument("--seed", type=int, default=14, help="random seed (same seed, same rows)")
    parser.add_argument("--batch", type=int, default=50_000, help="rows per transaction")
    args = parser.parse_args(argv)
    if args.tweets < 0 or args.batch < 1 or not 0 < args.heavy < args.people:
        parser.error("--tweets >= 0, --batch >= 1 and 0 < --heavy < --people, please")
    if not 0 <= args.heavy_share <= 1:
        parser.error("--heavy-share is a share: between 0 and 1")
    shape = Shape(args.tweets, args.people, args.heavy, args.heavy_share, args.seed)
    return shape, args.batch


def seeded_username(k: int) -> str:
    """The handle of the ``k``-th seeded person (``seed0`` … ``seed9999``)."""
    return f"seed{k}"


def ensure_people(db: Database, box: SecretBox, people: int) -> list[tuple[int, int]]:
    """The (user id, connection id) of each seeded person, in order, creating the
    missing ones with one active X account each."""
    placeholder = box.encrypt("seeded-placeholder-token")
    now = to_db(utcnow())
    wanted = [seeded_username(k) for k in range(people)]
    with db.atomic():
        have = {
            u.username for u in User.select(User.username).where(User.x_user_id.startswith("seed-"))
        }
        missing = [name for name in wanted if name not in have]
        for chunk in _chunks(missing, 500):
            User.insert_many(
                [
                    {
                        "x_user_id": f"seed-{name}",
                        "username": name,
                        "name": name.title(),
                        "x_access_token": placeholder,
                        "x_access_secret": placeholder,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for name in chunk
                ]
            ).execute()
        users = {
            u.username: u.id
            for u in User.select(User.id, User.username).where(User.x_user_id.startswith("seed-"))
        }
        connected = {
            c.user_id
            for c in XConnection.select(XConnection.user).where(
                XConnection.user.in_(list(users.values()))
            )
        }
        unconnected = [name for name in wanted if users[name] not in connected]
        for chunk in _chunks(unconnected, 500):
            XConnection.insert_many(
                [
                    {
                        "user": users[name],
                        "x_user_id": f"seed-{name}",
                        "username": name,
                        "name": name.title(),
                        "access_token": placeholder,
                        "access_secret": placeholder,
                        "status": ConnectionStatus.ACTIVE.value,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for name in chunk
                ]
            ).execute()
        connections = {
            c.user_id: c.id
            for c in XConnection.select(XConnection.id, XConnection.user).where(
                XConnection.user.in_(list(users.values()))
                & XConnection.x_user_id.startswith("seed-")
            )
        }
    return [(users[name], connections[users[name]]) for name in wanted]


def tweet_rows(shape: Shape, people: list[tuple[int, int]], now: datetime) -> Iterator[Row]:
    """``shape.tweets`` rows in the order of ``COLUMNS``, oldest first."""
    rng = random.Random(shape.seed)
    start = now - HISTORY
    step = HISTORY / max(shape.tweets, 1)
    light = len(people) - shape.heavy
    for i in range(shape.tweets):
        if rng.random() < shape.heavy_share:
            user_id, connection_id = people[rng.randrange(shape.heavy)]
        else:
            user_id, connection_id = people[shape.heavy + rng.randrange(light)]
        created = start + step * i
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        status, error, sent_at, send_at, x_id = TweetStatus.SENT, None, None, None, None
        pick = rng.random()
        for candidate, share in STATUS_SHARES:
            if pick < share:
                status = candidate
                break
            pick -= share
        updated = created + timedelta(seconds=1)
        if status == TweetStatus.SENT:
            sent_at = updated
            x_id = str(1_900_000_000_000_000_000 + i)
        elif status == TweetStatus.FAILED:
            error = rng.choice(FAILURES)
        elif status == TweetStatus.SCHEDULED:
            ahead = SCHEDULED_FROM + (SCHEDULED_TO - SCHEDULED_FROM) * rng.random()
            send_at = now + ahead
            updated = created
        yield (
            user_id,
            connection_id,
            f"{text} #{i}",
            status.value,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            x_id,
            error,
            0 if status in (TweetStatus.SCHEDULED, TweetStatus.CANCELED) else 1,
            created,
            updated,
            sent_at,
            send_at,
        )


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format (the generated texts hold no tab,
    line break or backslash)."""
    return "\\N" if value is None else str(value)


def write_batch(db: Database, batch: list[Row]) -> None:
    """Insert one batch of tweet rows in one transaction."""
    with db.atomic():
        cursor = db.cursor()
        if isinstance(db, PostgresqlDatabase):
            lines = "".join("\t".join(map(_copy_text, row)) + "\n" for row in batch)
            cursor.copy_expert(f"COPY tweet ({', '.join(COLUMNS)}) FROM STDIN", io.StringIO(lines))
        else:
            marks = ", ".join("?" for _ in COLUMNS)
            cursor.executemany(
                f"INSERT INTO tweet ({', '.join(COLUMNS)}) VALUES ({marks})",
                [tuple(str(v) if isinstance(v, datetime) else v for v in row) for row in batch],
            )


def seed(db: Database, box: SecretBox, shape: Shape, *, batch: int = 50_000) -> int:
    """Add ``shape.tweets`` tweets (and the people posting them); how many were added."""
    started = time.monotonic()
    with db.connection_context():
        people = ensure_people(db, box, shape.people)
        now = to_db(utcnow())
        added = 0
        for rows in _batches(tweet_rows(shape, people, now), batch):
            write_batch(db, rows)
            added += len(rows)
            log.info("seed_batch_written", tweets=added, of=shape.tweets)
        db.execute_sql("ANALYZE")
    log.info(
        "seed_done",
        tweets=added,
        people=shape.people,
        seconds=round(time.monotonic() - started, 1),
    )
    return added


def main(argv: Sequence[str] | None = None) -> None:
    # Asked before anything else (and whatever else is wrong with the settings):
    # a production database is never seeded.
    if get_settings().environment == PRODUCTION:
        print(
            "tweetnow-seed: refused: TWEETNOW_ENV is production; seeding is for a "
            "development or test database",
            file=sys.stderr,
        )
        sys.exit(REFUSED)
    settings = startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    shape, batch = parse_args(argv)
    db = open_database(settings.database_url)
    seed(db, SecretBox(settings.encryption_keys), shape, batch=batch)
