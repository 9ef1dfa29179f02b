"""A database migrated to step 7 put back as step 6 left it: migration 7's indexes
dropped, the ones it replaced made again, and step 7 no longer recorded. Used by the
migration test (step 7 on a step-6 database) and by `make bench-rows` (the same rows
measured with either step's indexes)."""

from __future__ import annotations

from peewee import Database

from tweetnow.shared.migrations import SchemaMigration

#: What step 7 adds.
STEP_7_INDEXES = (
    "tweet_user_id_status_id",
    "tweet_status_id",
    "tweet_status_updated_at",
    "mail_status_updated_at",
    "tweet_due_send_at_id",
    "tweet_scheduled_user_id_send_at_id",
    "user_username_lower",
)
#: What it replaces, as step 6 made them.
STEP_6_INDEXES = (
    'CREATE INDEX "tweet_status" ON "tweet" ("status")',
    'CREATE INDEX "tweet_send_at" ON "tweet" ("send_at")',
    'CREATE INDEX "mail_status" ON "mail" ("status")',
)


def back_to_step_6(db: Database) -> None:
    with db.atomic():
        for name in STEP_7_INDEXES:
            db.execute_sql(f'DROP INDEX "{name}"')
        for statement in STEP_6_INDEXES:
            db.execute_sql(statement)
        SchemaMigration.delete().where(SchemaMigration.version == 7).execute()
