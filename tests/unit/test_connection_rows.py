"""X connections in the database: migration step 6 on an existing database makes each
person's sign-in account their first connection and every tweet post through it; key
rotation re-encrypts connections' tokens too."""

from __future__ import annotations

from cryptography.fernet import Fernet
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from tests.support.accounts import make_user
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import database
from tweetnow.shared.key_rotation import rotate_tokens
from tweetnow.shared.migrations import SchemaMigration, migrate
from tweetnow.shared.models import Tweet, XConnection


def test_step_6_connects_each_persons_sign_in_account_and_their_tweets_post_through_it(
    deps,
):
    # The database as the release before had it: no connections, tweets without one.
    migrator = SchemaMigrator.from_database(database)
    run_operations(
        migrator.drop_column("tweet", "connection_id", legacy=True),
        migrator.drop_column("oauthrequest", "connecting_user_id"),
    )
    database.drop_tables([XConnection])
    SchemaMigration.delete().where(SchemaMigration.version == 6).execute()
    ada, bob = make_user(deps.box, "ada"), make_user(deps.box, "bob")
    for user in (ada, bob, ada):
        database.execute_sql(
            "INSERT INTO tweet (user_id, text, status, job_id, attempts, created_at, updated_at)"
            " VALUES (?, 'hi', 'sent', ?, 1, '2026-01-01', '2026-01-01')",
            (user.id, f"job-{Tweet.select().count()}-{user.id}"),
        )

    assert migrate(database) == [6]

    connections = {c.user_id: c for c in XConnection.select()}
    assert set(connections) == {ada.id, bob.id}
    for user in (ada, bob):
        connection = connections[user.id]
        assert (connection.x_user_id, connection.username) == (user.x_user_id, user.username)
        assert (connection.method, connection.status) == ("oauth1", "active")
        assert deps.box.decrypt(connection.access_token) == f"token-{user.username}"
        assert deps.box.decrypt(connection.access_secret) == f"secret-{user.username}"
    assert sorted((t.user_id, t.connection_id) for t in Tweet.select()) == sorted(
        [(ada.id, connections[ada.id].id)] * 2 + [(bob.id, connections[bob.id].id)]
    )
    assert migrate(database) == []


def test_key_rotation_re_encrypts_the_tokens_of_every_connected_account(deps):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = SecretBox((old_key,))
    ada = make_user(old, "ada")
    XConnection.create(
        user=ada,
        x_user_id="777",
        username="ada_second",
        access_token=old.encrypt("token-second"),
        access_secret=old.encrypt("secret-second"),
    )

    report = rotate_tokens(database, SecretBox((new_key, old_key)))

    assert (report.connections_rotated, report.connections_unreadable) == (1, ())
    connection = XConnection.get(XConnection.x_user_id == "777")
    new_only = SecretBox((new_key,))
    assert new_only.decrypt(connection.access_token) == "token-second"
    assert new_only.decrypt(connection.access_secret) == "secret-second"
