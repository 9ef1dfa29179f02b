"""Idempotency keys: a request retried with the same key gets the first answer again.

A client that sent ``POST /api/tweets`` and got no answer (a timeout, a web
process killed under it) cannot tell whether the tweet was accepted. Sent
again with the same ``Idempotency-Key``, the request creates nothing new: it
gets the first answer, status and body, for a day. The same key with another
body is refused, since the client has mixed up two requests.

The key is written in the transaction that writes the request's row, under the
person's row lock (``fair_use.one_at_a_time``), and looked up again under that
lock: a second request with the same key that arrives while the first is still
in flight waits for it and then gets its answer. So a key is remembered
exactly when its row exists; a request that failed wrote neither.

Keys are per caller and per operation: one person's key never meets another's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import msgspec

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import IDEMPOTENCY_KEY_LIFETIME, IdempotencyKey, User

from .errors import Invalid

#: The longest key accepted (a UUID is 36 characters).
MAX_KEY_LENGTH = 255


class AlreadyAnswered(Exception):
    """The request was answered before under the same key: answer it the same way."""

    def __init__(self, status: int, answer: bytes, location: str | None) -> None:
        super().__init__(f"answered before with {status}")
        self.status = status
        self.answer = answer
        self.location = location


def check_key(key: str) -> str:
    """The key if it is 1 to 255 visible ASCII characters, else Invalid saying so."""
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " < c <= "~" for c in key):
        raise Invalid(
            f"`Idempotency-Key` must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
            "(a UUID is a good key).",
            field="Idempotency-Key",
        )
    return key


@dataclass(frozen=True)
class IdempotentRequest:
    """One request of ``user``'s to ``operation`` carrying ``key``, with its decoded body."""

    user: User
    operation: str
    key: str
    body_sha256: str

    @classmethod
    def of(cls, user: User, operation: str, key: str, body: msgspec.Struct) -> IdempotentRequest:
        digest = hashlib.sha256(msgspec.json.encode(body)).hexdigest()
        return cls(user=user, operation=operation, key=check_key(key), body_sha256=digest)

    def _stored(self) -> IdempotencyKey | None:
        return IdempotencyKey.get_or_none(
            (IdempotencyKey.user == self.user)
            & (IdempotencyKey.operation == self.operation)
            & (IdempotencyKey.key == self.key)
        )

    def replay_if_answered(self) -> None:
        """Raise AlreadyAnswered with the first answer if this key was answered within a
        day, Invalid if that was for another body; return if the key is new.

        Run once before the request's checks (a retry of a scheduled tweet whose
        time has passed still gets its first answer) and again under the person's
        row lock, where a request with the same key that was in flight has committed.
        A key older than a day is forgotten here, so it can name a new request.
        """
        stored = self._stored()
        if stored is None:
            return
        if stored.created_at <= to_db(utcnow() - IDEMPOTENCY_KEY_LIFETIME):
            stored.delete_instance()
            return
        if stored.body_sha256 != self.body_sha256:
            raise Invalid(
                f"This Idempotency-Key was used for another request to {self.operation} "
                "with a different body; use a new key for a new request.",
                field="Idempotency-Key",
            )
        raise AlreadyAnswered(stored.status, stored.answer.encode(), stored.location)

    def remember(self, status: int, answer: msgspec.Struct, location: str | None) -> None:
        """Keep the answer under the key; call it in the transaction that writes the row."""
        IdempotencyKey.create(
            user=self.user,
            operation=self.operation,
            key=self.key,
            body_sha256=self.body_sha256,
            status=status,
            answer=msgspec.json.encode(answer).decode(),
            location=location,
        )
