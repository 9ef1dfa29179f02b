"""``POST /2/tweets`` and ``DELETE /2/tweets/{id}``, in the signed-in user's name."""

from __future__ import annotations

import logging

import falcon

from x_sandbox.posting import TweetIntake, TweetRequest
from x_sandbox.request_body import json_body
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import invalid_request, problem, tweet_not_found

log = logging.getLogger(__name__)


def _string_ids(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 19 for v in value
    ):
        raise invalid_request({name: [str(value)]}, f"The `{name}` field must be a list of ids.")
    return list(value)


def _request_of(req: falcon.Request) -> TweetRequest:
    try:
        document = json_body(req)
    except ValueError:
        raise invalid_request({}, "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_request({}, "The request body must be a JSON object.")
    media_ids: list[str] = []
    media = document.get("media")
    if media is not None:
        if not isinstance(media, dict) or "media_ids" not in media:
            raise invalid_request({"media": []}, "The `media` field must hold `media_ids`.")
        media_ids = _string_ids(media["media_ids"], "media.media_ids")
        if not 1 <= len(media_ids) <= 4:
            raise invalid_request(
                {"media.media_ids": media_ids}, "`media.media_ids` holds 1 to 4 ids."
            )
    reply_to = None
    reply = document.get("reply")
    if reply is not None:
        if not isinstance(reply, dict):
            raise invalid_request({"reply": []}, "The `reply` field must be an object.")
        reply_to = reply.get("in_reply_to_tweet_id")
        if not isinstance(reply_to, str) or not reply_to.isdigit() or len(reply_to) > 19:
            shown = [] if reply_to is None else [str(reply_to)]
            raise invalid_request(
                {"reply.in_reply_to_tweet_id": shown},
                "`reply.in_reply_to_tweet_id` must be a post id.",
            )
    text = document.get("text")
    if text is None and media_ids:
        text = ""
    if not isinstance(text, str) or (not text.strip() and not media_ids):
        shown = [] if text is None else [str(text)]
        raise invalid_request({"text": shown}, "The `text` field must be a non-empty string.")
    return TweetRequest(text=text, in_reply_to_tweet_id=reply_to, media_ids=media_ids)


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
        tweet = self._poster.post(req.context.user, _request_of(req))
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
