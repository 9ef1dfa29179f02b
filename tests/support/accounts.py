"""People for in-process tests: a user row with encrypted X tokens, as sign-in leaves it."""

from __future__ import annotations

import zlib

from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import User


def make_user(box: SecretBox, username: str, *, x_user_id: str | None = None) -> User:
    """A signed-up user; unless given, the X id is derived from the name (stable across runs)."""
    return User.create(
        x_user_id=x_user_id or str(zlib.crc32(username.encode())),
        username=username,
        name=username.title(),
        x_access_token=box.encrypt(f"token-{username}"),
        x_access_secret=box.encrypt(f"secret-{username}"),
    )
