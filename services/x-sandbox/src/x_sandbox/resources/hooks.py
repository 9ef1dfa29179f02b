"""``/_sandbox/*``: what tests and developers use to look inside and steer the sandbox."""

from __future__ import annotations

import json
import logging

import falcon

from x_sandbox.faults import FaultsError
from x_sandbox.request_body import json_body
from x_sandbox.state import SandboxState
from x_sandbox.x_users import is_valid_username

log = logging.getLogger(__name__)


class SandboxHealthHook:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class PostedTweetsHook:
    """Everything posted (and not deleted), oldest first; ``?username=`` filters."""

    def __init__(self, state: SandboxState, public_url: str) -> None:
        self._state = state
        self._public_url = public_url

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        username = req.get_param("username")
        with self._state.lock:
            tweets = self._state.tweets.oldest_first(username)
        resp.media = {
            "data": [
                {
                    "id": str(t.id),
                    "text": t.text,
                    "author_id": t.author_id,
                    "username": t.username,
                    "created_at": t.created_at_iso,
                    "url": f"{self._public_url}/{t.username}/status/{t.id}",
                    "in_reply_to_tweet_id": (
                        None if t.in_reply_to_tweet_id is None else str(t.in_reply_to_tweet_id)
                    ),
                    "media_ids": [m["id"] for m in t.media],
                    "media": list(t.media),
                }
                for t in tweets
            ]
        }


class FaultsHook:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._state.lock:
            resp.media = self._state.faults.as_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            document = json_body(req)
        except ValueError:
            raise falcon.HTTPBadRequest(description="The body must be a JSON object.") from None
        with self._state.lock:
            before = self._state.faults.rate_limit
            try:
                self._state.faults.update(document)
            except FaultsError as error:
                raise falcon.HTTPBadRequest(description=str(error)) from None
            if self._state.faults.rate_limit != before:
                self._state.rate_limits.clear()
            current = self._state.faults.as_json()
        log.info("faults_set %s", json.dumps(current, separators=(",", ":")))
        resp.media = current

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._state.lock:
            self._state.clear_faults()
            current = self._state.faults.as_json()
        log.info("faults_cleared")
        resp.media = current


class ResetHook:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._state.reset()
        log.info("sandbox_reset")
        resp.media = {"status": "reset"}


class RevokeHook:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_post(self, req: falcon.Request, resp: falcon.Response, username: str) -> None:
        if not is_valid_username(username):
            raise falcon.HTTPBadRequest(description="Not an X user name.")
        with self._state.lock:
            self._state.revoked.add(username.lower())
        log.info("user_revoked username=%s", username)
        resp.media = {"data": {"username": username, "revoked": True}}


class StatsHook:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._state.lock:
            resp.media = self._state.stats.as_json()
