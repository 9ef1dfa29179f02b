"""The tweeter's Dramatiq actors: ``dramatiq tweetnow.tweeter.actors -Q tweets periodic``."""

from __future__ import annotations

from dramatiq.middleware import CurrentMessage

from tweetnow.shared.contracts import consumes
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.mail_requests import request_mail
from tweetnow.shared.messages import POST_TWEET, PostTweet
from tweetnow.shared.models import MailKind, Tweet
from tweetnow.shared.secrets_box import SecretBox
from tweetnow.shared.x_rate_limits import XRateLimits

from . import periodic  # noqa: F401  (the recurring jobs run on these workers too)
from .posting import HeldBack, TweetPoster
from .runtime import broker, database, redis, settings
from .x_client import XClientFactory

log = get_logger(__name__)


def notify_author(tweet: Tweet, reason: str) -> None:
    """Mail the author that their tweet failed, once per tweet, if they gave an address."""
    user = tweet.user
    if not user.email:
        return
    request_mail(
        broker,
        kind=MailKind.TWEET_FAILED,
        recipient=user.email,
        user=user,
        data={"tweet_id": tweet.id, "text": tweet.text, "reason": reason},
        dedupe_key=f"tweet_failed:{tweet.id}",
        request_id=tweet.request_id,
    )


poster = TweetPoster(
    XClientFactory(settings, SecretBox(settings.encryption_keys, settings.secret_key)),
    lease_s=settings.post_lease_s,
    on_failed=notify_author,
    rate_limits=XRateLimits(redis),
)


def _max_retries(message) -> int:
    return message.options.get("max_retries", POST_TWEET.retry.max_retries)


def _is_last_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:
        return False
    return message.options.get("retries", 0) >= _max_retries(message)


def _give_retry_back() -> None:
    """A wait for X's rate limit is not a failed attempt: the job keeps its retries.

    Dramatiq's Retries counts every retry against ``max_retries``, which a
    message's own options override: raise it by one for each wait.
    """
    message = CurrentMessage.get_current_message()
    if message is not None:
        message.options["max_retries"] = _max_retries(message) + 1


@consumes(POST_TWEET, broker=broker)
def post_tweet(payload: PostTweet) -> None:
    with database.connection_context():
        try:
            poster.post(payload.tweet_id, last_attempt=_is_last_attempt())
        except HeldBack:
            _give_retry_back()
            raise
