"""Accepting a tweet: the row and its job are created together or not at all."""

from __future__ import annotations

import uuid

import falcon
import redis
from dramatiq.errors import BrokerError

from tweetnow.shared.contracts import send
from tweetnow.shared.db import database
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.messages import POST_TWEET, PostTweet
from tweetnow.shared.models import Tweet, TweetStatus, User

from .deps import WebDeps

log = get_logger(__name__)


class QueueUnavailable(falcon.HTTPServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            title="Queue unavailable",
            description="The job queue cannot be reached; nothing was saved. Try again shortly.",
            retry_after=5,
        )


class TweetService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def create(self, user: User, text: str, *, request_id: str | None) -> Tweet:
        job_id = str(uuid.uuid4())
        with database.atomic():
            tweet = Tweet.create(
                user=user,
                text=text,
                status=TweetStatus.QUEUED,
                job_id=job_id,
                request_id=request_id,
            )
        # The row is committed before the message exists, so a worker that picks
        # the message up at once always finds it. If the message cannot be sent,
        # the row goes too: the client is told and nothing is half-written.
        try:
            send(
                self.deps.broker,
                POST_TWEET,
                PostTweet(tweet_id=tweet.id),
                message_id=job_id,
                owner_id=user.id,
                request_id=request_id,
            )
        except (redis.RedisError, BrokerError) as exc:
            Tweet.delete().where(Tweet.id == tweet.id).execute()
            log.error("tweet_enqueue_failed", tweet_id=tweet.id, error=str(exc))
            raise QueueUnavailable() from exc
        log.info("tweet_accepted", tweet_id=tweet.id, job_id=job_id)
        return tweet
