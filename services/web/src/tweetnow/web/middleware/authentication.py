"""Middleware: who is calling (API token or browser session), and CSRF for sessions."""

from __future__ import annotations

import hmac

import falcon

from ..api.bodies import read_form
from ..domain.tokens import TokenService
from ..sessions import CSRF_COOKIE, SESSION_COOKIE, SessionManager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


class Authentication:
    def __init__(
        self, sessions: SessionManager, tokens: TokenService, *, max_body_bytes: int
    ) -> None:
        self.sessions = sessions
        self.tokens = tokens
        #: A form carrying the CSRF token is read no further than this (then 413).
        self.max_body_bytes = max_body_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.user = None
        req.context.session = None
        req.context.auth = None
        authorization = req.get_header("Authorization")
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            if scheme.lower() != "bearer" or not credential.strip():
                raise falcon.HTTPUnauthorized(
                    title="Bad credentials",
                    description="Send the API token as 'Authorization: Bearer <token>'.",
                    challenges=["Bearer"],
                )
            user = self.tokens.authenticate(credential.strip())
            req.context.user, req.context.auth = user, "token"
            return
        cookie = req.cookies.get(SESSION_COOKIE)
        if cookie:
            session = self.sessions.resolve(cookie)
            if session is not None:
                req.context.user, req.context.session = session.user, session
                req.context.auth = "session"
        if req.context.auth == "session" and req.method not in SAFE_METHODS:
            self._check_csrf(req)

    def _check_csrf(self, req: falcon.Request) -> None:
        sent = req.get_header(CSRF_HEADER)
        if (
            sent is None
            and req.content_type
            and req.content_type.startswith(falcon.MEDIA_URLENCODED)
        ):
            sent = read_form(req, max_bytes=self.max_body_bytes).get("csrf_token")
        expected = req.context.session.csrf_token
        cookie = req.cookies.get(CSRF_COOKIE, "")
        if not sent or not hmac.compare_digest(sent, expected) or cookie != expected:
            raise falcon.HTTPForbidden(
                title="CSRF check failed",
                description=f"Send the csrf_token cookie's value in the {CSRF_HEADER} header.",
            )
