"""Access tokens that need no storage, so they survive a sandbox restart.

A token reads ``<user_id>-<username><mac>``: X's clients (tweepy) take the user
id from the part before ``-``. The MAC and the token secret are HMACs keyed
with the consumer secret over both the id and the name, so the sandbox checks
any token by recomputing them, and a token keeps the account it was issued to
even when that account's name also derives another id.
"""

from __future__ import annotations

import hashlib
import hmac

from x_sandbox.x_users import SandboxUser, is_valid_user_id, is_valid_username

_MAC_LENGTH = 40


class AccessTokens:
    def __init__(self, consumer_secret: str) -> None:
        self._key = consumer_secret.encode()

    def _hmac(self, purpose: str, user_id: str, username: str) -> str:
        message = f"{purpose}:{user_id}:{username}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, user: SandboxUser) -> tuple[str, str]:
        """The access token and token secret for ``user``."""
        mac = self._hmac("token", user.id, user.username)[:_MAC_LENGTH]
        token = f"{user.id}-{user.username}{mac}"
        return token, self._secret(user)

    def _secret(self, user: SandboxUser) -> str:
        return self._hmac("secret", user.id, user.username)[:45]

    def user_for(self, token: str) -> SandboxUser | None:
        """The user a genuine token was issued to, or None for anything else."""
        user_id, dash, rest = token.partition("-")
        if not dash or len(rest) <= _MAC_LENGTH:
            return None
        username, mac = rest[:-_MAC_LENGTH], rest[-_MAC_LENGTH:]
        if not is_valid_username(username) or not is_valid_user_id(user_id):
            return None
        expected = self._hmac("token", user_id, username)[:_MAC_LENGTH]
        if not hmac.compare_digest(mac, expected):
            return None
        return SandboxUser.named(username, user_id)

    def secret_for(self, token: str) -> str | None:
        user = self.user_for(token)
        return None if user is None else self._secret(user)
