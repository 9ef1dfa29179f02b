"""The middleware every sandbox request passes through, in the order the app adds them:
post counting, the user context of ``/2/`` requests, and X's rate limits.

They read and change the sandbox's state, so they live apart from the state's parts
(``post_stats``, ``rate_limits``), which the state itself is made of.
"""

from __future__ import annotations

import logging
from typing import Any

import falcon

from x_sandbox.access_tokens import AccessTokens
from x_sandbox.clock import Clock
from x_sandbox.oauth_signatures import SignatureChecker
from x_sandbox.rate_limits import TWEET_POST_ENDPOINT, UNLIMITED, Quota
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import too_many_requests, unauthorized
from x_sandbox.x_users import SandboxUser

#: Where X's v2 API lives: every request under it acts in a user's name.
API_PREFIX = "/2/"
#: OAuth 2.0's own endpoints, which hand out the tokens the rest of ``/2/`` asks for.
OAUTH2_PREFIX = "/2/oauth2/"

log = logging.getLogger(__name__)


class PostStatsMiddleware:
    """Counts every answer to ``POST /2/tweets``, whatever refused or accepted it."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        if req.method == "POST" and req.path == "/2/tweets":
            with self._state.lock:
                self._state.stats.record(resp.status_code)


class UserContextMiddleware:
    """Every ``/2/`` request acts in a user's name, signed with OAuth 1.0a or carrying an
    OAuth 2.0 access token (``Authorization: Bearer``): sets ``req.context.user``, or
    answers X's 401. ``/2/oauth2/`` itself is where a client gets its tokens."""

    def __init__(
        self, checker: SignatureChecker, tokens: AccessTokens, state: SandboxState, clock: Clock
    ) -> None:
        self._checker = checker
        self._tokens = tokens
        self._state = state
        self._clock = clock

    def _user(self, req: falcon.Request) -> SandboxUser | None:
        scheme, _, credentials = (req.get_header("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer":
            with self._state.lock:
                return self._state.oauth2.user_for(credentials.strip(), self._clock.now())
        signed = self._checker.check(req, self._tokens.secret_for)
        return self._tokens.user_for(signed.token) if signed and signed.token else None

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if not req.path.startswith(API_PREFIX) or req.path.startswith(OAUTH2_PREFIX):
            return
        user = self._user(req)
        if user is None:
            log.info("api_unauthorized method=%s path=%s reason=signature", req.method, req.path)
            raise unauthorized()
        with self._state.lock:
            revoked = user.key in self._state.revoked
        if revoked:
            log.info("api_unauthorized method=%s path=%s reason=revoked", req.method, req.path)
            raise unauthorized()
        req.context.user = user


class RateLimitMiddleware:
    """Takes one request from the signed-in user's quota, or answers X's 429; sets the
    ``x-rate-limit-*`` headers on every ``/2/`` response that has none yet."""

    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        user = req.context.get("user")
        if user is None or resource is None or not req.path.startswith(API_PREFIX):
            return
        endpoint = f"{req.method} {req.uri_template}"
        with self._state.lock:
            rule = self._state.faults.rate_limit if endpoint == TWEET_POST_ENDPOINT else None
            quota = self._state.rate_limits.take(
                endpoint, user.id, rule or UNLIMITED, self._clock.now()
            )
        req.context.quota = quota
        if quota.exceeded:
            raise too_many_requests(quota.headers())

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        if not req.path.startswith(API_PREFIX):
            return
        quota = req.context.get("quota") or Quota.fresh(UNLIMITED, self._clock.now())
        for name, value in quota.headers().items():
            if resp.get_header(name) is None:
                resp.set_header(name, value)
