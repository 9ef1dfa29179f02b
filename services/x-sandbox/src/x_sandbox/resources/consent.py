"""``/oauth/authenticate`` and ``/oauth/authorize``: the page where a person lets the app in.

``?oauth_token=...&username=NAME`` approves at once, so scripts and tests sign
in without a browser. ``&user_id=ID`` signs in as the account ``ID`` that holds
``NAME`` now, as when X gives a freed handle to another account.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit, urlunsplit

import falcon

from x_sandbox.clock import Clock
from x_sandbox.html_pages import consent_page, message_page, send_html, verifier_page
from x_sandbox.request_body import form_body
from x_sandbox.resources.oauth_tokens import OUT_OF_BAND
from x_sandbox.state import SandboxState
from x_sandbox.x_users import SandboxUser, is_valid_user_id, is_valid_username

log = logging.getLogger(__name__)

USERNAME_RULE = "A user name is 1 to 15 letters, digits or underscores."
USER_ID_RULE = "A user id is a positive whole number of at most 19 digits."


def _refusal(username: str, user_id: str | None) -> str | None:
    """Why the consent page asks again, or None when the account is well named."""
    if not is_valid_username(username):
        return USERNAME_RULE
    if user_id is not None and not is_valid_user_id(user_id):
        return USER_ID_RULE
    return None


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


class ConsentResource:
    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        token = req.get_param("oauth_token") or ""
        username = req.get_param("username")
        if username is None:
            with self._state.lock:
                pending = self._state.request_tokens.awaiting_consent(token, self._clock.now())
            if pending is None:
                self._unknown_token(resp)
                return
            send_html(resp, consent_page(token))
            return
        self._approve(resp, token, username, req.get_param("user_id"), status=302)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = form_body(req)
        token = form.get("oauth_token", "")
        if form.get("action") == "cancel":
            self._deny(resp, token)
            return
        username = form.get("username", "").strip()
        self._approve(resp, token, username, form.get("user_id") or None, status=303)

    def _approve(
        self,
        resp: falcon.Response,
        token: str,
        username: str,
        user_id: str | None,
        *,
        status: int,
    ) -> None:
        problem = _refusal(username, user_id)
        if problem is not None:
            with self._state.lock:
                known = self._state.request_tokens.awaiting_consent(token, self._clock.now())
            if known is None:
                self._unknown_token(resp)
                return
            send_html(resp, consent_page(token, username=username, error=problem), 400)
            return
        user = SandboxUser.named(username, user_id)
        with self._state.lock:
            pending = self._state.request_tokens.approve(token, user, self._clock.now())
        if pending is None or pending.verifier is None:
            self._unknown_token(resp)
            return
        log.info("authorization_approved username=%s user_id=%s", user.username, user.id)
        if pending.callback == OUT_OF_BAND:
            send_html(resp, verifier_page(pending.verifier))
            return
        resp.status = status
        resp.location = with_query(
            pending.callback, {"oauth_token": token, "oauth_verifier": pending.verifier}
        )

    def _deny(self, resp: falcon.Response, token: str) -> None:
        with self._state.lock:
            pending = self._state.request_tokens.deny(token, self._clock.now())
        if pending is None:
            self._unknown_token(resp)
            return
        log.info("authorization_denied")
        if pending.callback == OUT_OF_BAND:
            send_html(resp, message_page("Cancelled", "The app was not authorized."))
            return
        resp.status = 303
        resp.location = with_query(pending.callback, {"denied": token})

    def _unknown_token(self, resp: falcon.Response) -> None:
        message = "This authorization link is unknown, expired or already used. Start again."
        send_html(resp, message_page("Authorization failed", message), 400)
