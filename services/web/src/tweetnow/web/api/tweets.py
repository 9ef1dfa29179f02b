"""Tweets: list the caller's, accept one (202, posted in the background), read, cancel,
reschedule or retry one."""

from __future__ import annotations

import falcon

from ..domain.tweets import TweetService
from ..row_ids import MAX_ROW_ID
from ..schemas import TweetPage
from .bodies import send_accepted
from .idempotency import idempotent_request

DEFAULT_PAGE = 20
MAX_PAGE = 100


class Tweets:
    def __init__(self, tweets: TweetService) -> None:
        self.tweets = tweets

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit = req.get_param_as_int("limit", min_value=1, max_value=MAX_PAGE) or DEFAULT_PAGE
        before = req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID)
        tweets, more = self.tweets.page(req.context.user, limit=limit, before=before)
        older = f"/api/tweets?limit={limit}&before={tweets[-1].id}" if more else None
        resp.media = TweetPage(data=tweets, next=older)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = req.context
        once = idempotent_request(req)
        send_accepted(
            resp, self.tweets.create(ctx.user, ctx.body, request_id=ctx.request_id, once=once)
        )


class TweetItem:
    """One tweet: read it, cancel it while it waits, or send it again once it failed."""

    def __init__(self, tweets: TweetService) -> None:
        self.tweets = tweets

    def on_get(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        resp.media = self.tweets.get(req.context.user, tweet_id)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        resp.media = self.tweets.cancel(req.context.user, tweet_id)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        """``PATCH /api/tweets/{id} {"send_at"}``: a scheduled tweet moves to another time."""
        ctx = req.context
        resp.media = self.tweets.reschedule(ctx.user, tweet_id, ctx.body, request_id=ctx.request_id)

    def on_post_retry(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        """``POST /api/tweets/{id}/retry``: a failed tweet goes out again, under a new job."""
        retried = self.tweets.retry(req.context.user, tweet_id, request_id=req.context.request_id)
        send_accepted(resp, retried)
