"""``POST /api/tweets/{id}/retry``: a failed tweet goes out again, under a new job."""

from __future__ import annotations

import falcon

from ..authentication import require_user
from ..deps import WebDeps
from ..tweet_service import TweetService, initial_job_state
from ..views import job_url, tweet_json


class TweetRetry:
    def __init__(self, deps: WebDeps, service: TweetService) -> None:
        self.deps = deps
        self.service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        user = require_user(req)
        tweet = self.service.retry(user, tweet_id, request_id=req.context.request_id)
        url = job_url(tweet.job_id)
        resp.status = falcon.HTTP_202
        resp.location = url
        resp.media = {
            "tweet": tweet_json(tweet, self.deps.settings),
            "job": {"id": tweet.job_id, "status": initial_job_state(tweet), "url": url},
        }
