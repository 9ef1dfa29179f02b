"""The database of a stack this test run started, opened from the test process, for
what the API does not show (how many rows a person has) or cannot set up fast
enough (a hundred thousand scheduled tweets)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from peewee import Database

from tests.support.local_stack import LocalStack
from tweetnow.shared.db import open_database


@contextmanager
def stack_database(local: LocalStack) -> Iterator[Database]:
    """A connection to ``local``'s database, bound to the models, closed afterwards."""
    db = open_database(local.env["DATABASE_URL"])
    with db.connection_context():
        yield db
