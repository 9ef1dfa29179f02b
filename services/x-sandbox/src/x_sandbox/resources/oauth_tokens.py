"""``POST /oauth/request_token`` and ``POST /oauth/access_token``: the two signed legs.

The ``latency_ms`` fault holds each of them back before anything is checked,
as it does ``POST /2/tweets``: a client can prove its sign-in gives up in time.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import falcon

from x_sandbox.access_tokens import AccessTokens
from x_sandbox.clock import Clock
from x_sandbox.oauth_signatures import SignatureChecker
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import XProblem, oauth_not_authenticated, oauth_refused

FORM = "application/x-www-form-urlencoded"
#: The callback of clients that show the user a PIN instead of redirecting.
OUT_OF_BAND = "oob"

log = logging.getLogger(__name__)


def _acceptable_callback(callback: str) -> bool:
    if callback == OUT_OF_BAND:
        return True
    parts = urlsplit(callback)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _wait_injected_latency(state: SandboxState, clock: Clock) -> None:
    with state.lock:
        latency_ms = state.faults.latency_ms
    if latency_ms:
        clock.sleep(latency_ms / 1000)


def _send_form(resp: falcon.Response, fields: dict[str, str]) -> None:
    resp.content_type = FORM
    resp.text = urlencode(fields)


class RequestTokenResource:
    def __init__(self, checker: SignatureChecker, state: SandboxState, clock: Clock) -> None:
        self._checker = checker
        self._state = state
        self._clock = clock

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _wait_injected_latency(self._state, self._clock)
        signed = self._checker.check(req, lambda token: None)
        if signed is None or signed.token:
            log.info("request_token_refused reason=signature")
            raise oauth_not_authenticated()
        callback = signed.callback or ""
        if not _acceptable_callback(callback):
            log.info("request_token_refused reason=callback")
            message = "oauth_callback must be an http(s) URL or 'oob'"
            raise XProblem(400, {"errors": [{"code": 417, "message": message}]})
        with self._state.lock:
            pending = self._state.request_tokens.create(callback, self._clock.now())
        log.info("request_token_issued callback_host=%s", urlsplit(callback).netloc or callback)
        _send_form(
            resp,
            {
                "oauth_token": pending.token,
                "oauth_token_secret": pending.secret,
                "oauth_callback_confirmed": "true",
            },
        )


class AccessTokenResource:
    def __init__(
        self,
        checker: SignatureChecker,
        tokens: AccessTokens,
        state: SandboxState,
        clock: Clock,
    ) -> None:
        self._checker = checker
        self._tokens = tokens
        self._state = state
        self._clock = clock

    def _request_token_secret(self, token: str) -> str | None:
        with self._state.lock:
            return self._state.request_tokens.secret_for(token, self._clock.now())

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _wait_injected_latency(self._state, self._clock)
        signed = self._checker.check(req, self._request_token_secret)
        if signed is None or not signed.token:
            log.info("access_token_refused reason=signature")
            raise oauth_not_authenticated()
        with self._state.lock:
            user = self._state.request_tokens.exchange(
                signed.token, signed.verifier, self._clock.now()
            )
        if user is None:
            log.info("access_token_refused reason=verifier")
            raise oauth_refused("Invalid oauth_verifier parameter")
        token, secret = self._tokens.issue(user)
        with self._state.lock:
            self._state.revoked.discard(user.key)  # authorizing again restores access
        log.info("access_token_issued user_id=%s username=%s", user.id, user.username)
        _send_form(
            resp,
            {
                "oauth_token": token,
                "oauth_token_secret": secret,
                "user_id": user.id,
                "screen_name": user.username,
            },
        )
