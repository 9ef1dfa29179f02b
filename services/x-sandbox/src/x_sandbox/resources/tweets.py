"""``POST /2/tweets`` and ``DELETE /2/tweets/{id}``, in the signed-in user's name."""

from __future__ import annotations

import logging

import falcon

from x_sandbox.posting import TweetIntake
from x_sandbox.request_body import json_body
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import invalid_request, problem, tweet_not_found

log = logging.getLogger(__name__)


def _text_of(req: falcon.Request) -> str:
    try:
        document = json_body(req)
    except ValueError:
        raise invalid_request({}, "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_request({}, "The request body must be a JSON object.")
    text = document.get("text")
    if not isinstance(text, str) or not text.strip():
        shown = [] if text is None else [str(text)]
        raise invalid_request({"text": shown}, "The `text` field must be a non-empty string.")
    return text


def tweet_id_param(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        message = f"The `id` query parameter value [{value}] is not valid"
        raise invalid_request({"id": [value]}, message)
    return int(value)


class CreateTweetResource:
    """X's Create Tweet endpoint, in the signed-in user's name."""

    def __init__(self, poster: TweetIntake) -> None:
        self._poster = poster

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        tweet = self._poster.post(req.context.user, _text_of(req))
        resp.status = 201
        resp.media = {"data": tweet.as_x_json()}


class DeleteTweetResource:
    """X's Delete Tweet endpoint: only the author may delete a tweet."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tweet_id: str) -> None:
        user = req.context.user
        wanted = tweet_id_param(tweet_id)
        with self._state.lock:
            tweet = self._state.tweets.get(wanted)
            if tweet is None:
                raise tweet_not_found(tweet_id)
            if tweet.author_id != user.id:
                raise problem(403, "You are not allowed to delete a Tweet you did not author.")
            self._state.tweets.delete(wanted)
        log.info("tweet_deleted id=%s username=%s", wanted, user.username)
        resp.media = {"data": {"deleted": True}}
