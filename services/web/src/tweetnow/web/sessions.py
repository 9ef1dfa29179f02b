"""Browser sessions: a signed cookie carrying a random key; the row behind it can be revoked.

A second cookie, ``csrf_token`` (readable by the page's script), must be echoed
in the ``X-CSRF-Token`` header (or a ``csrf_token`` form field) of every
state-changing request made with the session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import falcon
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.models import Session, User
from tweetnow.shared.settings import Settings

SESSION_COOKIE = "tweetnow_session"
CSRF_COOKIE = "csrf_token"


def _session_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SessionManager:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt="tweetnow.session")

    def start(
        self, resp: falcon.Response, user: User, *, replacing: Session | None = None
    ) -> Session:
        """A new session for ``user``; the browser's earlier one, ``replacing``, ends with it."""
        key = secrets.token_urlsafe(32)
        now = utcnow()
        with database.atomic():
            if replacing is not None:
                Session.delete().where(Session.id == replacing.id).execute()
            session = Session.create(
                id=_session_id(key),
                user=user,
                csrf_token=secrets.token_urlsafe(32),
                created_at=to_db(now),
                expires_at=to_db(now + timedelta(seconds=self.settings.session_max_age_s)),
            )
        max_age = self.settings.session_max_age_s
        resp.set_cookie(
            SESSION_COOKIE,
            self.serializer.dumps(key),
            max_age=max_age,
            http_only=True,
            same_site="Lax",
            secure=self.settings.cookie_secure,
            path="/",
        )
        resp.set_cookie(
            CSRF_COOKIE,
            session.csrf_token,
            max_age=max_age,
            http_only=False,
            same_site="Lax",
            secure=self.settings.cookie_secure,
            path="/",
        )
        return session

    def resolve(self, cookie_value: str) -> Session | None:
        try:
            key = self.serializer.loads(cookie_value, max_age=self.settings.session_max_age_s)
        except BadSignature:
            return None
        return (
            Session.select(Session, User)
            .join(User)
            .where((Session.id == _session_id(key)) & (Session.expires_at > to_db(utcnow())))
            .first()
        )

    def end(self, resp: falcon.Response, session: Session | None) -> None:
        if session is not None:
            Session.delete().where(Session.id == session.id).execute()
        self._forget(resp)

    def end_all(self, resp: falcon.Response, user: User) -> int:
        """End every session of ``user``, this browser's too; how many there were."""
        ended = Session.delete().where(Session.user == user).execute()
        self._forget(resp)
        return int(ended)

    def _forget(self, resp: falcon.Response) -> None:
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            resp.unset_cookie(name, path="/")
