"""Tweets: accept one (202, posted in the background), read one, list the caller's."""

from __future__ import annotations

import falcon

from tweetnow.shared.models import Tweet as TweetRow
from tweetnow.shared.models import User

from ..authentication import require_user
from ..deps import WebDeps
from ..errors import not_found
from ..request_body import read_json
from ..row_ids import MAX_ROW_ID
from ..schemas import TweetCreate
from ..tweet_service import TweetService, initial_job_state
from ..tweet_text import check_tweet_text
from ..views import job_url, tweet_json

DEFAULT_PAGE = 20
MAX_PAGE = 100


class Tweets:
    def __init__(self, deps: WebDeps, service: TweetService) -> None:
        self.deps = deps
        self.service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, TweetCreate, max_bytes=self.deps.settings.max_body_bytes)
        text = check_tweet_text(body.text)
        tweet = self.service.create(
            user, text, send_at=body.send_at, request_id=req.context.request_id
        )
        url = job_url(tweet.job_id)
        resp.status = falcon.HTTP_202
        resp.location = url
        resp.media = {
            "tweet": tweet_json(tweet, self.deps.settings),
            "job": {"id": tweet.job_id, "status": initial_job_state(tweet), "url": url},
        }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        limit = req.get_param_as_int("limit", min_value=1, max_value=MAX_PAGE) or DEFAULT_PAGE
        before = req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID)
        query = TweetRow.select(TweetRow, User).join(User).where(TweetRow.user == user)
        if before is not None:
            query = query.where(TweetRow.id < before)
        rows = list(query.order_by(TweetRow.id.desc()).limit(limit + 1))
        page, more = rows[:limit], len(rows) > limit
        resp.media = {
            "data": [tweet_json(t, self.deps.settings) for t in page],
            "next": f"/api/tweets?limit={limit}&before={page[-1].id}" if more else None,
        }


class TweetItem:
    def __init__(self, deps: WebDeps, service: TweetService) -> None:
        self.deps = deps
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        user = require_user(req)
        tweet = (
            TweetRow.select(TweetRow, User)
            .join(User)
            .where((TweetRow.id == tweet_id) & (TweetRow.user == user))
            .first()
        )
        if tweet is None:
            raise not_found("tweet")
        resp.media = tweet_json(tweet, self.deps.settings)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        """Cancel a scheduled or queued tweet."""
        user = require_user(req)
        tweet = self.service.cancel(user, tweet_id)
        resp.media = tweet_json(tweet, self.deps.settings)
