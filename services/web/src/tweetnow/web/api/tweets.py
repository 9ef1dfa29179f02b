"""Tweets: accept one (202, posted in the background), list the caller's, read, cancel
or retry one."""

from __future__ import annotations

import falcon

from ..domain.tweets import TweetService
from ..middleware.authentication import require_user
from ..row_ids import MAX_ROW_ID
from ..schemas import TweetCreate, TweetPage
from .bodies import read_json, send_accepted

DEFAULT_PAGE = 20
MAX_PAGE = 100


class Tweets:
    def __init__(self, tweets: TweetService, *, max_body_bytes: int) -> None:
        self.tweets = tweets
        self.max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, TweetCreate, max_bytes=self.max_body_bytes)
        accepted = self.tweets.create(
            user, body.text, send_at=body.send_at, request_id=req.context.request_id
        )
        send_accepted(resp, accepted)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        limit = req.get_param_as_int("limit", min_value=1, max_value=MAX_PAGE) or DEFAULT_PAGE
        before = req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID)
        tweets, more = self.tweets.page(user, limit=limit, before=before)
        older = f"/api/tweets?limit={limit}&before={tweets[-1].id}" if more else None
        resp.media = TweetPage(data=tweets, next=older)


class TweetItem:
    def __init__(self, tweets: TweetService) -> None:
        self.tweets = tweets

    def on_get(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        resp.media = self.tweets.get(require_user(req), tweet_id)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        """Cancel a scheduled or queued tweet."""
        resp.media = self.tweets.cancel(require_user(req), tweet_id)

    def on_post_retry(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        """``POST /api/tweets/{id}/retry``: a failed tweet goes out again, under a new job."""
        user = require_user(req)
        send_accepted(resp, self.tweets.retry(user, tweet_id, request_id=req.context.request_id))
