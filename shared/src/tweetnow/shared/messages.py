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


class SendMail(msgspec.Struct, frozen=True):
    """Send mail ``mail_id`` (a row in the mail table: kind, recipient, data)."""

    mail_id: int


def _mail_retry_policy() -> RetryPolicy:
    s = get_settings()
    return RetryPolicy(
        max_retries=s.mail_max_retries,
        min_backoff_ms=s.mail_min_backoff_ms,
        max_backoff_ms=s.mail_max_backoff_ms,
    )


SEND_MAIL: Contract[SendMail] = Contract(
    actor_name="send_mail",
    queue=MAIL_QUEUE,
    payload=SendMail,
    version=1,
    retry=_mail_retry_policy(),
    description="Render and send one mail row; its status guards against sending twice.",
)

POST_TWEET: Contract[PostTweet] = Contract(
    actor_name="post_tweet",
    queue=TWEETS_QUEUE,
    payload=PostTweet,
    version=1,
    retry=_tweet_retry_policy(),
    description="Post one tweet to X; the row's status guards against posting twice.",
)
