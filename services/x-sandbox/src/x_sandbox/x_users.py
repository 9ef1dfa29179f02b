"""X accounts in the sandbox: anyone may sign in under any valid X user name.

Accounts are not stored. A user's id is derived from the user name (case does
not matter, as on X), so the same name is the same account after a restart.
A sign-in may also name the id, to stand for the account that holds the name
now: on X a handle freed by a renamed or deleted account passes to another one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: X user names: 1 to 15 letters, digits or underscores.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{1,15}")
#: X user ids: positive 64-bit numbers, written in decimal.
USER_ID_PATTERN = re.compile(r"[1-9][0-9]{0,18}")
MAX_USER_ID = 2**63 - 1


def is_valid_username(username: str) -> bool:
    return USERNAME_PATTERN.fullmatch(username) is not None


def is_valid_user_id(user_id: str) -> bool:
    return USER_ID_PATTERN.fullmatch(user_id) is not None and int(user_id) <= MAX_USER_ID


def user_id_for(username: str) -> str:
    """A stable, large decimal id (a positive 63-bit number, like X's)."""
    digest = hashlib.sha256(b"x-sandbox-user:" + username.lower().encode()).digest()
    return str(int.from_bytes(digest[:8], "big") >> 1)


@dataclass(frozen=True)
class SandboxUser:
    """An X account as the sandbox knows it: made up from the user name alone."""

    id: str
    username: str
    name: str

    @classmethod
    def named(cls, username: str, user_id: str | None = None) -> SandboxUser:
        """The account holding ``username``: the one its name derives, unless ``user_id``
        names another."""
        if not is_valid_username(username):
            raise ValueError(f"not an X user name: {username!r}")
        if user_id is not None and not is_valid_user_id(user_id):
            raise ValueError(f"not an X user id: {user_id!r}")
        return cls(id=user_id or user_id_for(username), username=username, name=username)

    @property
    def key(self) -> str:
        """The name as X compares it (case-insensitively)."""
        return self.username.lower()

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "username": self.username}
