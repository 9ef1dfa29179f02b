"""API tokens for HTTP clients: shown once at creation, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import ApiToken, User

TOKEN_PREFIX = "tn_"
#: last_used_at is refreshed at most this often, to keep reads from writing.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    row: ApiToken
    token: str


def issue(user: User, label: str) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, label=label, token_hash=_hash(token), prefix=token[:10])
    return IssuedToken(row=row, token=token)


def authenticate(token: str) -> User | None:
    row = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == _hash(token)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or to_db(now) - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.update(last_used_at=to_db(now)).where(ApiToken.id == row.id).execute()
    return row.user


def revoke(user: User, token_id: int) -> bool:
    return bool(
        ApiToken.update(revoked_at=to_db(utcnow()))
        .where((ApiToken.id == token_id) & (ApiToken.user == user) & ApiToken.revoked_at.is_null())
        .execute()
    )
