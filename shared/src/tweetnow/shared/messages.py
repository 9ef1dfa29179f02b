"""The contracts of tweetnow's jobs: what the web sends and the workers consume.

A producer needs only the contract. The consumer also needs a retry policy,
built by :func:`retry_policy` from the settings its process was started with.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .contracts import Contract, RetryPolicy
from .settings import Settings

TWEETS_QUEUE = "tweets"
MAIL_QUEUE = "mail"


class PostTweet(msgspec.Struct, frozen=True):
    """Post tweet ``tweet_id`` (a row in the tweets table) to X as its author."""

    tweet_id: int


class SendMail(msgspec.Struct, frozen=True):
    """Send mail ``mail_id`` (a row in the mail table: kind, recipient, data)."""

    mail_id: int


SEND_MAIL: Contract[SendMail] = Contract(
    actor_name="send_mail",
    queue=MAIL_QUEUE,
    payload=SendMail,
    version=1,
    description="Render and send one mail row; its status guards against sending twice.",
)

POST_TWEET: Contract[PostTweet] = Contract(
    actor_name="post_tweet",
    queue=TWEETS_QUEUE,
    payload=PostTweet,
    version=1,
    description="Post one tweet to X; the row's status guards against posting twice.",
)


def retry_policy(contract: Contract[Any], settings: Settings) -> RetryPolicy:
    """How the consumer of ``contract`` retries, from its settings (``TWEET_*``, ``MAIL_*``)."""
    if contract is POST_TWEET:
        return RetryPolicy(
            max_retries=settings.tweet_max_retries,
            min_backoff_ms=settings.tweet_min_backoff_ms,
            max_backoff_ms=settings.tweet_max_backoff_ms,
        )
    if contract is SEND_MAIL:
        return RetryPolicy(
            max_retries=settings.mail_max_retries,
            min_backoff_ms=settings.mail_min_backoff_ms,
            max_backoff_ms=settings.mail_max_backoff_ms,
        )
    raise LookupError(f"no retry policy for {contract.actor_name!r}")
