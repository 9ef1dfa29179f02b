"""API tokens for HTTP clients: shown once at creation, stored only as a hash.

A token may be given a lifetime, after which it stops working by itself: a
token handed to a script for a month does not outlive the month when nobody
remembers to revoke it.

A web process remembers whose a token is for a few seconds (``token_cache``),
so an API client's requests do not each look it up in the database; a
revocation is announced to every process, which forget the token at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from peewee import Expression

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.models import ApiToken, User

from ..schemas import TokenInfo, TokenIssued, TokenList, timestamp
from .errors import NotAuthenticated, NotFound
from .token_cache import TokenCache

TOKEN_PREFIX = "tn_"
#: last_used_at is refreshed at most this often: an API request writes the database
#: at most once a minute per token, not on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """What is stored of a token, and what a web process remembers it by."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unexpired() -> Expression:
    """Tokens that still work now: no expiry, or one still ahead."""
    return ApiToken.expires_at.is_null() | (ApiToken.expires_at > to_db(utcnow()))


class TokenService:
    def __init__(self, cache: TokenCache | None = None) -> None:
        self.cache = cache or TokenCache(None, 0)

    def issue(self, user: User, label: str, expires_in_days: int | None = None) -> TokenIssued:
        """A new token for ``user``: the only time its secret is seen. It works until
        revoked, or for ``expires_in_days`` days when given."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = to_db(utcnow())
        row = ApiToken.create(
            user=user,
            label=label.strip(),
            token_hash=hash_token(token),
            prefix=token[:10],
            created_at=now,
            expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
        )
        return TokenIssued(
            id=row.id,
            token=token,
            label=row.label,
            created_at=timestamp(row.created_at),
            expires_at=iso(row.expires_at),
        )

    def live(self, user: User) -> TokenList:
        """The user's tokens neither revoked nor expired, newest first."""
        rows = (
            ApiToken.select()
            .where((ApiToken.user == user) & ApiToken.revoked_at.is_null() & _unexpired())
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
                    expires_at=iso(row.expires_at),
                )
                for row in rows
            ]
        )

    def authenticate(self, token: str) -> User:
        """The user a live token belongs to; refused with the reason otherwise."""
        token_hash = hash_token(token)
        now = to_db(utcnow())
        known = self.cache.get(token_hash)
        if known is not None:
            token_id, user = known.token_id, known.user.__class__(**known.user.__data__)
            expires_at, last_used_at = known.expires_at, known.last_used_at
        else:
            generation = self.cache.generation
            row = (
                ApiToken.select(ApiToken, User)
                .join(User)
                .where((ApiToken.token_hash == token_hash) & ApiToken.revoked_at.is_null())
                .first()
            )
            if row is None:
                raise NotAuthenticated("The API token is unknown or has been revoked.")
            token_id, user = row.id, row.user
            expires_at, last_used_at = row.expires_at, row.last_used_at
            self.cache.put(token_hash, generation, token_id, user, expires_at, last_used_at)
        if expires_at is not None and expires_at <= now:
            raise NotAuthenticated(f"The API token expired at {iso(expires_at)}; create a new one.")
        if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
            ApiToken.update(last_used_at=now).where(ApiToken.id == token_id).execute()
            self.cache.used(token_hash, now)
        return user

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
        self.cache.token_revoked(ApiToken.get_by_id(token_id).token_hash)
