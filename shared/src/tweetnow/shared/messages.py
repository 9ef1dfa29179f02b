"""The contracts of tweetnow's jobs: what the web sends and the workers consume."""

from __future__ import annotations

import msgspec

from .contracts import Contract, RetryPolicy
from .settings import get_settings

TWEETS_QUEUE = "tweets"
MAIL_QUEUE = "mail"


class PostTweet(msgspec.Struct, frozen=True):
    """Post tweet ``tweet_id`` (a row in the tweets table) to X as its author."""

    tweet_id: int


def _tweet_retry_policy() -> RetryPolicy:
    s = get_settings()
    return RetryPolicy(
        max_retries=s.tweet_max_retries,
        min_backoff_ms=s.tweet_min_backoff_ms,
        max_backoff_ms=s.tweet_max_backoff_ms,
    )


POST_TWEET: Contract[PostTweet] = Contract(
    actor_name="post_tweet",
    queue=TWEETS_QUEUE,
    payload=PostTweet,
    version=1,
    retry=_tweet_retry_policy(),
    description="Post one tweet to X; the row's status guards against posting twice.",
)
