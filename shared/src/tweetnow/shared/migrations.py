"""Schema migrations: an ordered list, each applied once, recorded in schema_migrations.

Run with ``tweetnow-migrate`` (compose runs it as a one-shot service before
anything else starts). Add a migration by appending to MIGRATIONS; never edit
one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import CharField, Database, DateTimeField, IntegerField, Model

from .clock import to_db, utcnow
from .db import database, open_database
from .log_setup import configure_logging, get_logger
from .models import ALL_MODELS, Mail
from .settings import get_settings

log = get_logger(__name__)


class SchemaMigration(Model):
    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = DateTimeField()

    class Meta:
        database = database
        table_name = "schema_migrations"


def _initial_schema(db: Database) -> None:
    db.create_tables(ALL_MODELS)


def _mail(db: Database) -> None:
    db.create_tables([Mail])


MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (1, "initial schema", _initial_schema),
    (2, "mail", _mail),
]


def migrate(db: Database) -> list[int]:
    """Apply every pending migration; return the versions applied."""
    applied: list[int] = []
    with db.connection_context():
        db.create_tables([SchemaMigration])
        done = {m.version for m in SchemaMigration.select(SchemaMigration.version)}
        for version, name, step in MIGRATIONS:
            if version in done:
                continue
            with db.atomic():
                step(db)
                SchemaMigration.create(version=version, name=name, applied_at=to_db(utcnow()))
            log.info("migration_applied", version=version, name=name)
            applied.append(version)
    return applied


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    applied = migrate(open_database(settings.database_url))
    log.info("migrations_done", applied=applied)
