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

from peewee import CharField, Database, DateTimeField, IntegerField, Model
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from .clock import to_db, utcnow
from .db import database, open_database
from .logs import configure_logging, get_logger
from .models import ALL_MODELS, IdempotencyKey, Media, MediaBytes, ThreadPart
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


#: Steps after the baseline, in order: (version, name, step).
MIGRATIONS: list[tuple[int, str, Step]] = [
    (2, "API tokens can expire", _api_tokens_expire),
    (3, "idempotency keys", _idempotency_keys),
    (4, "threads and images", _threads_and_images),
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
