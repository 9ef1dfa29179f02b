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
WEBHOOKS_QUEUE = "webhooks"


class PostTweet(msgspec.Struct, frozen=True):
    """Post tweet ``tweet_id`` (a row in the tweets table) to X as its author."""

    tweet_id: int


class SendMail(msgspec.Struct, frozen=True):
    """Send mail ``mail_id`` (a row in the mail table: kind, recipient, data)."""

    mail_id: int


class DeliverWebhook(msgspec.Struct, frozen=True):
    """Deliver ``delivery_id`` (a row in the webhook deliveries table: endpoint, body)."""

    delivery_id: str


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


DELIVER_WEBHOOK: Contract[DeliverWebhook] = Contract(
    actor_name="deliver_webhook",
    queue=WEBHOOKS_QUEUE,
    payload=DeliverWebhook,
    version=1,
    description="POST one signed event to a webhook; the delivery row guards against "
    "sending a delivered event again, and its id is the webhook-id of every attempt.",
)

#: Dramatiq retries left beyond the webhook schedule's own, for attempts that wait for
#: another worker's lease: the delivery row, not Dramatiq's count, ends a delivery.
WEBHOOK_SPARE_RETRIES = 5


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
    if contract is DELIVER_WEBHOOK:
        # Each retry names its own delay from WEBHOOK_RETRY_DELAYS_S (dramatiq.Retry).
        return RetryPolicy(
            max_retries=len(settings.webhook_retry_delays_s) + WEBHOOK_SPARE_RETRIES,
            min_backoff_ms=1000,
            max_backoff_ms=int(max(settings.webhook_retry_delays_s, default=1) * 1000),
        )
    raise LookupError(f"no retry policy for {contract.actor_name!r}")
