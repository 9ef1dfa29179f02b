"""OAuth 2.0 access tokens for posting: fresh before use, refreshed one replica at a time.

X's access tokens live two hours and each refresh token works once. So:

- before a post, a token that runs out within ``X_REFRESH_MARGIN_S`` is refreshed;
- a 401 from X is answered by one refresh and one retry of the same request
  (``ConnectionBearerAuth``);
- a refresh happens under a Redis lock per connection (every tweeter replica
  shares it). Whoever waits for the lock reads the row again: if the token it
  had is no longer the row's, another replica refreshed meanwhile and the new
  one is used as is, so a refresh token is never spent twice;
- the new pair is written to the row before it is used: a worker that dies
  right after a refresh leaves the live refresh token behind, not a spent one;
- a refresh X refuses (``invalid_grant``: revoked, or spent elsewhere) lets the
  401 stand, and the tweet takes the path any revoked account's tweet takes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import redis
import requests
from redis.exceptions import LockError

from tweetnow.shared.clock import from_db, to_db, utcnow
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import XConnection
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_oauth2 import TokenRequestRefused, XOAuth2

log = get_logger(__name__)

LOCK_KEY = "tweetnow:x-refresh:{connection_id}"


class RefreshRefused(Exception):
    """X would not refresh the connection's tokens: it needs to be connected again.
    ``stored_token`` is the access token the row still holds."""

    def __init__(self, message: str, stored_token: str) -> None:
        super().__init__(message)
        self.stored_token = stored_token


class RefreshBusy(TimeoutError):
    """Another replica held the connection's refresh lock for too long; try again later."""


class ConnectionTokens:
    def __init__(self, settings: Settings, box: SecretBox, redis_client: redis.Redis) -> None:
        self.settings = settings
        self.box = box
        self.redis = redis_client
        self.oauth2 = XOAuth2(settings)
        #: A lock outlives one token request (its deadline), so a dead holder frees it.
        self.lock_s = 2 * settings.x_timeout_s + 5

    def _runs_out_soon(self, row: XConnection) -> bool:
        expires_at = from_db(row.expires_at)
        if expires_at is None:
            return False
        return expires_at - utcnow() <= timedelta(seconds=self.settings.x_refresh_margin_s)

    def access_token(self, connection_id: int) -> str:
        """The connection's access token, refreshed first if it runs out soon."""
        row = XConnection.get_by_id(connection_id)
        token = self.box.decrypt(row.access_token)
        if not self._runs_out_soon(row):
            return token
        log.info("x_token_expiring", connection_id=connection_id)
        return self.renew(connection_id, token)

    def renew(self, connection_id: int, stale_token: str) -> str:
        """An access token other than ``stale_token``: the one another replica got
        meanwhile, or a new pair from X (saved first). Raises ``RefreshRefused`` when X
        refuses the refresh token."""
        lock = self.redis.lock(
            LOCK_KEY.format(connection_id=connection_id),
            timeout=self.lock_s,
            blocking_timeout=self.lock_s,
        )
        if not lock.acquire():
            raise RefreshBusy(f"connection {connection_id}'s tokens are being refreshed elsewhere")
        try:
            return self._renew_locked(connection_id, stale_token)
        finally:
            try:
                lock.release()
            except LockError:  # held too long: it ran out, and someone else may hold it now
                log.warning("x_refresh_lock_lost", connection_id=connection_id)

    def _renew_locked(self, connection_id: int, stale_token: str) -> str:
        row = XConnection.get_by_id(connection_id)
        current = self.box.decrypt(row.access_token)
        if current != stale_token:
            log.info("x_token_refreshed_elsewhere", connection_id=connection_id)
            return current
        try:
            pair = self.oauth2.refresh(
                self.box.decrypt(row.access_secret), timeout_s=self.settings.x_timeout_s
            )
        except TokenRequestRefused as exc:
            log.warning("x_token_refresh_refused", connection_id=connection_id, error=str(exc))
            if exc.grant_refused:
                raise RefreshRefused(str(exc), current) from exc
            raise
        saved = (
            XConnection.update(
                access_token=self.box.encrypt(pair.access_token),
                access_secret=self.box.encrypt(pair.refresh_token)
                if pair.refresh_token
                else row.access_secret,
                expires_at=to_db(pair.expires_at) if pair.expires_at else None,
                updated_at=to_db(utcnow()),
            )
            .where(XConnection.id == connection_id)
            .execute()
        )
        log.info("x_token_refreshed", connection_id=connection_id, saved=bool(saved))
        return pair.access_token


class ConnectionBearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer`` with the connection's access token; a 401 gets one
    refresh (``ConnectionTokens.renew``) and the request is sent once more."""

    def __init__(self, tokens: ConnectionTokens, connection_id: int) -> None:
        self.tokens = tokens
        self.connection_id = connection_id
        #: Read (and refreshed if need be) at the first request, inside the caller's
        #: error handling.
        self.token: str | None = None
        #: X refused the refresh token: requests go with the token at hand, and X's
        #: answer (401 once it has run out) stands.
        self.refused = False

    def _current(self) -> str:
        if self.token is None:
            try:
                self.token = self.tokens.access_token(self.connection_id)
            except RefreshRefused as refused:
                self.refused = True
                self.token = refused.stored_token
        return self.token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._current()}"
        request.register_hook("response", self._after)
        return request

    def _after(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401 or self.refused:
            return response
        sent = response.request.headers.get("Authorization", "")
        failed = sent.removeprefix("Bearer ")
        try:
            self.token = self.tokens.renew(self.connection_id, failed)
        except RefreshRefused:
            self.refused = True
            return response  # the 401 stands
        log.info("x_retry_after_refresh", connection_id=self.connection_id)
        response.content  # noqa: B018  # read it, so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.token}"
        again: requests.Response = response.connection.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        return again
