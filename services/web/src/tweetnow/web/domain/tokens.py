"""API tokens for HTTP clients: shown once at creation, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.models import ApiToken, User

from ..schemas import TokenInfo, TokenIssued, TokenList, timestamp
from .errors import NotFound

TOKEN_PREFIX = "tn_"
#: last_used_at is refreshed at most this often, to keep reads from writing.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def issue(self, user: User, label: str) -> TokenIssued:
        """A new token for ``user``: the only time its secret is seen."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken.create(
            user=user, label=label.strip(), token_hash=_hash(token), prefix=token[:10]
        )
        return TokenIssued(
            id=row.id, token=token, label=row.label, created_at=timestamp(row.created_at)
        )

    def live(self, user: User) -> TokenList:
        """The user's tokens not revoked, newest first."""
        rows = (
            ApiToken.select()
            .where((ApiToken.user == user) & ApiToken.revoked_at.is_null())
            .order_by(ApiToken.id.desc())
        )
        return TokenList(
            data=[
                TokenInfo(
                    id=row.id,
                    label=row.label,
                    prefix=row.prefix,
                    created_at=timestamp(row.created_at),
                    last_used_at=iso(row.last_used_at),
                )
                for row in rows
            ]
        )

    def authenticate(self, token: str) -> User | None:
        """The user a live token belongs to, or None."""
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

    def revoke(self, user: User, token_id: int) -> None:
        revoked = (
            ApiToken.update(revoked_at=to_db(utcnow()))
            .where(
                (ApiToken.id == token_id) & (ApiToken.user == user) & ApiToken.revoked_at.is_null()
            )
            .execute()
        )
        if not revoked:
            raise NotFound("API token")
