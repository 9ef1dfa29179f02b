"""Sign in with X, connect another X account, and sign out: of this browser, or of every
browser.

``/auth/x/login?intent=connect``, from a signed-in browser, goes through the same
dance with X, but the account approved on X is added to the person's connected
accounts instead of signing them in as it.
"""

from __future__ import annotations

from datetime import timedelta

import falcon

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import ConnectionMethod, OAuthRequest, User

from ..deps import WebDeps
from ..domain.connections import save_connection
from ..sessions import SessionManager
from ..signin_binding import SignInBinding
from ..x_signin import Failure, XAccount, XSignIn, XSignInError

log = get_logger(__name__)

#: How long a person has to approve the sign-in on X.
SIGN_IN_WINDOW = timedelta(minutes=15)


class SignInProblem(falcon.HTTPError):
    """A sign-in that cannot go on. A browser gets it as a page with a way on
    (``pages.signin_problem``); a client that asks for JSON gets the usual JSON error."""


def x_problem(exc: XSignInError, *, timeout_s: float, refused: SignInProblem) -> SignInProblem:
    """What a person is told when X let a sign-in step down; ``refused`` when X said no."""
    match exc.failure:
        case Failure.TIMED_OUT:
            return SignInProblem(
                falcon.HTTP_504,
                title="X did not answer",
                description=(
                    f"X did not answer within {timeout_s:g} seconds, so signing in stopped "
                    "there and nothing was changed. Try again in a moment."
                ),
            )
        case Failure.UNAVAILABLE:
            return SignInProblem(
                falcon.HTTP_503,
                title="X unavailable",
                description="X could not be reached; nothing was changed. Try again in a moment.",
            )
    return refused


class Login:
    def __init__(self, signin: XSignIn, binding: SignInBinding) -> None:
        self.signin = signin
        self.binding = binding

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        connecting = req.get_param("intent") == "connect"
        if connecting and req.context.session is None:
            raise SignInProblem(
                falcon.HTTP_401,
                title="Not signed in",
                description="Sign in first; then connect another X account from the account page.",
            )
        try:
            auth = self.signin.start()
        except XSignInError as exc:
            log.error("x_signin_start_failed", failure=exc.failure.value, error=str(exc))
            raise x_problem(
                exc,
                timeout_s=self.signin.settings.x_timeout_s,
                refused=SignInProblem(
                    falcon.HTTP_502,
                    title="X refused",
                    description="X would not start signing in; try again later.",
                ),
            ) from None
        OAuthRequest.create(
            oauth_token=auth.request_token,
            oauth_token_secret=auth.request_token_secret,
            connecting_user_id=req.context.user.id if connecting else None,
        )
        self.binding.bind(resp, auth.request_token)
        resp.status = falcon.HTTP_303  # not raised: the binding cookie must go with it
        resp.location = auth.url


class Callback:
    def __init__(
        self, deps: WebDeps, signin: XSignIn, sessions: SessionManager, binding: SignInBinding
    ) -> None:
        self.deps = deps
        self.signin = signin
        self.sessions = sessions
        self.binding = binding

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.get_param("denied") or req.get_param("error") == "access_denied":
            raise falcon.HTTPSeeOther("/?signin=denied")
        if self.signin.oauth2:
            # OAuth 2.0: the pending sign-in is named by its state; the code is the verifier.
            token = req.get_param("state", required=True)
            verifier = req.get_param("code", required=True)
        else:
            token = req.get_param("oauth_token", required=True)
            verifier = req.get_param("oauth_verifier", required=True)
        if not self.binding.matches(req, token):
            # Left unused: the browser that started this sign-in may still finish it.
            raise SignInProblem(
                falcon.HTTP_400,
                title="Sign-in not started here",
                description="This sign-in was started in another browser, or too long ago; "
                "sign in again from this one.",
            )
        pending = self._take_request_token(token)
        method = ConnectionMethod.OAUTH2 if self.signin.oauth2 else ConnectionMethod.OAUTH1
        try:
            if self.signin.oauth2:
                account = self.signin.finish_oauth2(verifier, pending.oauth_token_secret)
            else:
                account = self.signin.finish(token, pending.oauth_token_secret, verifier)
        except XSignInError as exc:
            log.warning("x_signin_finish_failed", failure=exc.failure.value, error=str(exc))
            raise x_problem(
                exc,
                timeout_s=self.signin.settings.x_timeout_s,
                refused=SignInProblem(
                    falcon.HTTP_400,
                    title="Sign-in failed",
                    description="X did not confirm the sign-in; try again.",
                ),
            ) from None
        if pending.connecting_user_id is not None:
            self._connect(req, resp, pending.connecting_user_id, account, method)
            return
        user = self._upsert_user(account)
        save_connection(self.deps.box, user, account, method, self.deps.broker)
        # Whoever was signed in with this browser before is signed out: one browser, one session.
        self.sessions.start(resp, user, replacing=req.context.session)
        self.binding.release(resp)
        log.info("signed_in", user_id=user.id, username=user.username)
        resp.status = falcon.HTTP_303  # not raised: the session cookies must go with it
        resp.location = "/"

    def _connect(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: int,
        account: XAccount,
        method: ConnectionMethod,
    ) -> None:
        """Add the approved account to the connections of the person who asked for it, in
        the browser they asked in (still signed in as them)."""
        user = req.context.user
        if user is None or user.id != user_id:
            raise SignInProblem(
                falcon.HTTP_400,
                title="Not signed in as the person connecting",
                description="Connecting an X account finishes in the browser, signed in as "
                "the person who started it; sign in and connect again.",
            )
        connection = save_connection(self.deps.box, user, account, method, self.deps.broker)
        self.binding.release(resp)
        log.info("x_account_connect_done", user_id=user.id, connection_id=connection.id)
        resp.status = falcon.HTTP_303
        resp.location = "/account?connected=" + account.username

    def _take_request_token(self, token: str) -> OAuthRequest:
        """The pending sign-in for ``token``, consumed: a replayed callback is refused."""
        now = utcnow()
        taken = (
            OAuthRequest.update(used_at=to_db(now))
            .where(
                (OAuthRequest.oauth_token == token)
                & OAuthRequest.used_at.is_null()
                & (OAuthRequest.created_at > to_db(now - SIGN_IN_WINDOW))
            )
            .execute()
        )
        if not taken:
            raise SignInProblem(
                falcon.HTTP_400,
                title="Sign-in expired",
                description="This sign-in link was already used or has expired; sign in again.",
            )
        return OAuthRequest.get_by_id(token)

    def _upsert_user(self, account: XAccount) -> User:
        box = self.deps.box
        fields = {
            "username": account.username,
            "name": account.name,
            "x_access_token": box.encrypt(account.access_token),
            "x_access_secret": box.encrypt(account.access_token_secret),
            "updated_at": to_db(utcnow()),
        }
        with database.atomic():
            user = User.get_or_none(User.x_user_id == account.x_user_id)
            if user is None:
                return User.create(x_user_id=account.x_user_id, **fields)
            User.update(**fields).where(User.id == user.id).execute()
        self.deps.token_cache.user_changed(user.id)
        return User.get_by_id(user.id)


class Logout:
    def __init__(self, sessions: SessionManager) -> None:
        self.sessions = sessions

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.end(resp, req.context.session)
        if (req.content_type or "").startswith(falcon.MEDIA_URLENCODED):
            resp.status = falcon.HTTP_303  # a browser form: back to the landing page
            resp.location = "/"
        else:
            resp.status = falcon.HTTP_204


class LogoutEverywhere:
    """Ends every session of the person, in every browser (API tokens stay: they are
    revoked one by one)."""

    def __init__(self, sessions: SessionManager) -> None:
        self.sessions = sessions

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ended = self.sessions.end_all(resp, req.context.user)
        log.info("signed_out_everywhere", user_id=req.context.user.id, sessions=ended)
        if (req.content_type or "").startswith(falcon.MEDIA_URLENCODED):
            resp.status = falcon.HTTP_303  # a browser form: back to the landing page
            resp.location = "/"
        else:
            resp.status = falcon.HTTP_204
