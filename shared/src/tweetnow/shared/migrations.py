"""Schema migrations, run with ``tweetnow-migrate`` (compose runs it once before
anything else starts).

A new database gets every table from the current models at once and is
recorded as up to date. An existing one gets the steps it has not had yet,
in order, each recorded in ``schema_migrations``. To change the schema:
change the model, then append a step (``playhouse.migrate`` operations) that
brings an existing database to the same shape; never edit a shipped step.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import CharField, Database, DateTimeField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from .clock import to_db, utcnow
from .db import database, open_database
from .logs import configure_logging, get_logger
from .models import (
    ALL_MODELS,
    TWEET_DUE_INDEX,
    TWEET_SCHEDULED_INDEX,
    USER_HANDLE_INDEX,
    ConnectionMethod,
    ConnectionStatus,
    IdempotencyKey,
    Media,
    MediaBytes,
    ThreadPart,
    Tweet,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    XConnection,
)
from .settings import startup_settings

log = get_logger(__name__)


class SchemaMigration(Model):
    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = DateTimeField()

    class Meta:
        database = database
        table_name = "schema_migrations"


Step = Callable[[Database], None]

#: Version 1 is the first release's schema, created from the models.
BASELINE = (1, "initial schema")


def _api_tokens_expire(db: Database) -> None:
    """ApiToken.expires_at: null, so every token issued before keeps working."""
    migrator = SchemaMigrator.from_database(db)
    run_operations(migrator.add_column("apitoken", "expires_at", DateTimeField(null=True)))


def _idempotency_keys(db: Database) -> None:
    """The ``idempotency_key`` table: requests retried with the same key get the first answer."""
    db.create_tables([IdempotencyKey])


def _threads_and_images(db: Database) -> None:
    """Thread parts and uploaded images (and their bytes): new tables, nothing existing
    changes."""
    db.create_tables([ThreadPart, Media, MediaBytes])


def _webhooks_and_time_zones(db: Database) -> None:
    """The webhook tables, and User.time_zone (null: the browser sets it on the next visit).

    Only these tables are created (``safe``: a step run after steps adding other
    tables leaves those alone).
    """
    db.create_tables([Webhook, WebhookDelivery, WebhookAttempt], safe=True)
    migrator = SchemaMigrator.from_database(db)
    run_operations(migrator.add_column("user", "time_zone", CharField(null=True)))


def _x_connections(db: Database) -> None:
    """Several X accounts per person: every person's sign-in account becomes their first
    connection (with the tokens they signed in with), and every tweet posts through its
    author's."""
    db.create_tables([XConnection])
    migrator = SchemaMigrator.from_database(db)
    run_operations(
        migrator.add_column("oauthrequest", "connecting_user_id", IntegerField(null=True)),
        migrator.add_column(
            "tweet",
            "connection_id",
            ForeignKeyField(XConnection, field=XConnection.id, null=True, on_delete="CASCADE"),
        ),
    )
    XConnection.insert_from(
        User.select(
            User.id,
            User.x_user_id,
            User.username,
            User.name,
            ConnectionMethod.OAUTH1.value,
            User.x_access_token,
            User.x_access_secret,
            ConnectionStatus.ACTIVE.value,
            User.created_at,
            User.updated_at,
        ),
        [
            XConnection.user,
            XConnection.x_user_id,
            XConnection.username,
            XConnection.name,
            XConnection.method,
            XConnection.access_token,
            XConnection.access_secret,
            XConnection.status,
            XConnection.created_at,
            XConnection.updated_at,
        ],
    ).execute()
    # Each person has exactly one connection here: the one just made from their sign-in.
    db.execute_sql(
        "UPDATE tweet SET connection_id = "
        "(SELECT c.id FROM x_connection c WHERE c.user_id = tweet.user_id)"
    )


def _indexes_for_a_million_tweets(db: Database) -> None:
    """Indexes that match what is asked of the tweet and mail tables often, so that a
    page reads a few index entries whatever the table's size:

    - ``tweet (user_id, status, id)``: a person's pending count on every post, and the
      admin search by person and status, newest first;
    - ``tweet (status, id)``: the admin search by status, newest first, and the
      sweeper's queued/sending rows (it replaces ``tweet (status)``);
    - ``tweet (status, updated_at)`` and ``mail (status, updated_at)``: the dashboard's
      counts of what ended in the last day, and held tweets gone stale (``mail (status,
      updated_at)`` replaces ``mail (status)``);
    - scheduled tweets only (partial): the dispatcher's due ones by ``send_at``, and a
      person's, soonest first (they replace ``tweet (send_at)``, which held the
      ``send_at`` of every tweet ever scheduled);
    - ``user (LOWER(username))``: the admin search's person, by handle in any case.

    A person's tweets newest first already had ``tweet (user_id, id)``. On PostgreSQL
    the step locks the tweet table against writes while it builds (seconds for a
    million rows).
    """
    migrator = SchemaMigrator.from_database(db)
    run_operations(
        migrator.add_index("tweet", ("user_id", "status", "id")),
        migrator.add_index("tweet", ("status", "id")),
        migrator.add_index("tweet", ("status", "updated_at")),
        migrator.add_index("mail", ("status", "updated_at")),
        migrator.drop_index("tweet", "tweet_status"),
        migrator.drop_index("tweet", "tweet_send_at"),
        migrator.drop_index("mail", "mail_status"),
    )
    # Partial and expression indexes, built as the models declare them (the schema
    # manager also writes a partial index's values inline, as SQLite requires).
    for model, index in ((Tweet, TWEET_DUE_INDEX), (Tweet, TWEET_SCHEDULED_INDEX)):
        db.execute(model._schema._create_index(index, safe=False))  # type: ignore[attr-defined]
    db.execute(User._schema._create_index(USER_HANDLE_INDEX, safe=False))  # type: ignore[attr-defined]


#: Steps after the baseline, in order: (version, name, step).
MIGRATIONS: list[tuple[int, str, Step]] = [
    (2, "API tokens can expire", _api_tokens_expire),
    (3, "idempotency keys", _idempotency_keys),
    (4, "threads and images", _threads_and_images),
    (5, "webhooks, and each person's time zone", _webhooks_and_time_zones),
    (6, "several X accounts per person", _x_connections),
    (7, "indexes for a million tweets", _indexes_for_a_million_tweets),
]


def _record(version: int, name: str) -> None:
    SchemaMigration.create(version=version, name=name, applied_at=to_db(utcnow()))


def missing_versions() -> list[int]:
    """The schema versions this code needs that the open database has not had yet.

    Readiness asks this: a web that answers before the migrations ran would
    fail every sign-in with a missing table.
    """
    wanted = [BASELINE[0], *(v for v, _, _ in MIGRATIONS)]
    if not database.table_exists(SchemaMigration._meta.table_name):
        return wanted
    done = {m.version for m in SchemaMigration.select(SchemaMigration.version)}
    return [v for v in wanted if v not in done]


def migrate(db: Database) -> list[int]:
    """Bring the database to the current schema; return the versions applied."""
    applied: list[int] = []
    with db.connection_context():
        fresh = not db.table_exists(SchemaMigration._meta.table_name)
        db.create_tables([SchemaMigration])
        if fresh:
            with db.atomic():
                db.create_tables(ALL_MODELS)
                _record(*BASELINE)
                for version, name, _ in MIGRATIONS:
                    _record(version, name)
            versions = [BASELINE[0], *(v for v, _, _ in MIGRATIONS)]
            log.info("schema_created", version=versions[-1])
            return versions
        done = {m.version for m in SchemaMigration.select(SchemaMigration.version)}
        for version, name, step in MIGRATIONS:
            if version in done:
                continue
            with db.atomic():
                step(db)
                _record(version, name)
            log.info("migration_applied", version=version, name=name)
            applied.append(version)
    return applied


def main() -> None:
    settings = startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    applied = migrate(open_database(settings.database_url))
    log.info("migrations_done", applied=applied)
