"""``tweetnow-rotate-keys``: after it runs, the new key alone decrypts every stored X token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from tests.support.accounts import make_user
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import database, open_database
from tweetnow.shared.migrations import migrate
from tweetnow.shared.models import User, Webhook

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
PEOPLE = ("alice", "bob", "carol")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database whose users' tokens were encrypted with OLD_KEY."""
    url = f"sqlite:///{tmp_path / 'rotation.sqlite3'}"
    migrate(open_database(url))
    with database.connection_context():
        for name in PEOPLE:
            make_user(SecretBox((OLD_KEY,)), name)
    yield url
    database.close()


def rotate_keys(database_url: str, keys: str) -> subprocess.CompletedProcess[str]:
    """Run the console script as an operator would, with ENCRYPTION_KEYS=keys."""
    script = shutil.which("tweetnow-rotate-keys", path=str(Path(sys.executable).parent))
    assert script, "tweetnow-rotate-keys is not installed beside this Python"
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": keys,
        "LOG_FORMAT": "json",
    }
    return subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)


def stored_tokens() -> dict[str, tuple[str, str]]:
    with database.connection_context():
        return {u.username: (u.x_access_token, u.x_access_secret) for u in User.select()}


def test_after_rotating_the_new_key_alone_decrypts_every_token(database_url: str):
    new_only = SecretBox((NEW_KEY,))
    before = stored_tokens()
    with pytest.raises(InvalidToken):
        new_only.decrypt(before["alice"][0])

    done = rotate_keys(database_url, f"{NEW_KEY},{OLD_KEY}")

    assert done.returncode == 0, done.stderr
    assert '"users": 3' in done.stdout + done.stderr
    after = stored_tokens()
    assert set(after) == set(PEOPLE)
    for name, (token, secret) in after.items():
        assert new_only.decrypt(token) == f"token-{name}"
        assert new_only.decrypt(secret) == f"secret-{name}"


def test_a_token_no_key_decrypts_is_left_alone_and_the_command_fails(database_url: str):
    with database.connection_context():
        make_user(SecretBox((Fernet.generate_key().decode(),)), "dave")
    before = stored_tokens()

    done = rotate_keys(database_url, f"{NEW_KEY},{OLD_KEY}")

    assert done.returncode == 1
    assert "tokens_not_rotated" in done.stdout + done.stderr
    after = stored_tokens()
    assert after["dave"] == before["dave"]
    assert SecretBox((NEW_KEY,)).decrypt(after["alice"][0]) == "token-alice"


def test_webhook_secrets_are_rotated_too(database_url: str):
    with database.connection_context():
        owner = User.get(User.username == "alice")
        Webhook.create(
            user=owner,
            url="https://example.com/",
            events="tweet.sent",
            secret=SecretBox((OLD_KEY,)).encrypt("whsec_c2VjcmV0"),
        )
    done = rotate_keys(database_url, f"{NEW_KEY},{OLD_KEY}")
    assert done.returncode == 0, done.stderr
    with database.connection_context():
        stored = Webhook.get().secret
    assert SecretBox((NEW_KEY,)).decrypt(stored) == "whsec_c2VjcmV0"
