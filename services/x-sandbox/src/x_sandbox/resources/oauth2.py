"""``/2/oauth2/authorize`` and ``/2/oauth2/token``: OAuth 2.0 Authorization Code with PKCE.

``/2/oauth2/authorize?...&username=NAME`` approves at once, as the OAuth 1.0a
consent page does, so scripts and tests sign in without a browser. The token
endpoint takes a confidential client's id and secret (HTTP Basic), as X does,
and answers its errors in OAuth 2.0's shape (``{"error": ..., "error_description": ...}``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging

import falcon

from x_sandbox.clock import Clock
from x_sandbox.html_pages import message_page, oauth2_consent_page, send_html
from x_sandbox.oauth2_grants import KNOWN_SCOPES, AuthorizationRequest, TokenPair
from x_sandbox.request_body import form_body
from x_sandbox.resources.consent import USERNAME_RULE, with_query
from x_sandbox.resources.oauth_tokens import _acceptable_callback
from x_sandbox.settings import SandboxSettings
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import XProblem
from x_sandbox.x_users import SandboxUser, is_valid_username

log = logging.getLogger(__name__)

_REQUEST_FIELDS = ("client_id", "redirect_uri", "scope", "state", "code_challenge")


def _authorization_problem(fields: dict[str, str], client_id: str) -> str | None:
    """Why an authorization request cannot be shown to a person, or None."""
    if fields.get("response_type") != "code":
        return "response_type must be 'code'."
    if fields.get("client_id") != client_id:
        return "The client id is unknown."
    if not _acceptable_callback(fields.get("redirect_uri", "")) or fields["redirect_uri"] == "oob":
        return "redirect_uri must be an http(s) URL."
    scopes = fields.get("scope", "").split()
    if not scopes or not set(scopes) <= KNOWN_SCOPES:
        return "scope must name X's scopes, separated by spaces."
    if not fields.get("state"):
        return "state is required."
    if not fields.get("code_challenge") or fields.get("code_challenge_method") != "S256":
        return "A code_challenge with code_challenge_method=S256 is required."
    return None


class OAuth2AuthorizeResource:
    def __init__(self, settings: SandboxSettings, state: SandboxState, clock: Clock) -> None:
        self._client_id = settings.client_id
        self._state = state
        self._clock = clock

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = {name: req.get_param(name) or "" for name in (*_REQUEST_FIELDS, "response_type")}
        fields["code_challenge_method"] = req.get_param("code_challenge_method") or ""
        self._answer(resp, fields, req.get_param("username"), status=302)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = form_body(req)
        if form.get("action") == "cancel" and not _authorization_problem(form, self._client_id):
            resp.status = 303
            resp.location = with_query(
                form["redirect_uri"], {"error": "access_denied", "state": form["state"]}
            )
            return
        self._answer(resp, form, form.get("username", "").strip(), status=303)

    def _answer(
        self, resp: falcon.Response, fields: dict[str, str], username: str | None, *, status: int
    ) -> None:
        problem = _authorization_problem(fields, self._client_id)
        if problem is not None:
            log.info("oauth2_authorize_refused reason=%s", problem)
            send_html(resp, message_page("Authorization failed", problem), 400)
            return
        request = AuthorizationRequest(**{name: fields[name] for name in _REQUEST_FIELDS})
        if username is None:
            send_html(resp, oauth2_consent_page(fields))
            return
        if not is_valid_username(username):
            send_html(
                resp, oauth2_consent_page(fields, username=username, error=USERNAME_RULE), 400
            )
            return
        user = SandboxUser.named(username)
        with self._state.lock:
            code = self._state.oauth2.approve(request, user, self._clock.now())
        log.info("oauth2_authorization_approved username=%s user_id=%s", user.username, user.id)
        resp.status = status
        resp.location = with_query(request.redirect_uri, {"state": request.state, "code": code})


def _token_error(status: int, error: str, description: str) -> XProblem:
    return XProblem(status, {"error": error, "error_description": description})


def _client_id(req: falcon.Request, settings: SandboxSettings) -> str:
    """The confidential client's id from HTTP Basic auth, once its secret is checked."""
    scheme, _, credentials = (req.get_header("Authorization") or "").partition(" ")
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, _, secret = decoded.partition(":")
    if (
        scheme.lower() != "basic"
        or not hmac.compare_digest(client_id.encode(), settings.client_id.encode())
        or not hmac.compare_digest(secret.encode(), settings.client_secret.encode())
    ):
        raise _token_error(401, "unauthorized_client", "Missing valid authorization header")
    return client_id


def _send_pair(resp: falcon.Response, pair: TokenPair) -> None:
    body: dict[str, object] = {
        "token_type": "bearer",
        "expires_in": pair.expires_in,
        "access_token": pair.access_token,
        "scope": pair.scope,
    }
    if pair.refresh_token is not None:
        body["refresh_token"] = pair.refresh_token
    resp.media = body


class OAuth2TokenResource:
    def __init__(self, settings: SandboxSettings, state: SandboxState, clock: Clock) -> None:
        self._settings = settings
        self._state = state
        self._clock = clock

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        client_id = _client_id(req, self._settings)
        form = form_body(req)
        grant_type = form.get("grant_type", "")
        now = self._clock.now()
        if grant_type == "authorization_code":
            with self._state.lock:
                outcome = self._state.oauth2.exchange_code(
                    form.get("code", ""),
                    client_id,
                    form.get("redirect_uri", ""),
                    form.get("code_verifier", ""),
                    now,
                )
                if not isinstance(outcome, str):
                    self._state.revoked.discard(outcome[0].key)  # authorizing again restores
            if isinstance(outcome, str):
                log.info("oauth2_token_refused grant=authorization_code reason=%s", outcome)
                raise _token_error(400, "invalid_request", outcome)
            user, pair = outcome
            log.info("oauth2_token_issued grant=authorization_code username=%s", user.username)
            _send_pair(resp, pair)
            return
        if grant_type == "refresh_token":
            with self._state.lock:
                refreshed = self._state.oauth2.refresh(form.get("refresh_token", ""), now)
            if refreshed is None:
                log.info("oauth2_token_refused grant=refresh_token reason=invalid")
                raise _token_error(400, "invalid_grant", "Value passed for the token was invalid.")
            user, pair = refreshed
            log.info("oauth2_token_issued grant=refresh_token username=%s", user.username)
            _send_pair(resp, pair)
            return
        raise _token_error(
            400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
        )
