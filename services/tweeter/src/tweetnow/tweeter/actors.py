"""The tweeter's Dramatiq actors. ``dramatiq tweetnow.tweeter.actors -Q tweets``."""

from __future__ import annotations

from dramatiq.middleware import CurrentMessage

from tweetnow.shared.contracts import consumes
from tweetnow.shared.db import database, open_database
from tweetnow.shared.log_setup import configure_logging
from tweetnow.shared.messages import POST_TWEET, PostTweet
from tweetnow.shared.secrets_box import SecretBox
from tweetnow.shared.settings import get_settings

from .posting import TweetPoster
from .x_client import XClientFactory

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
open_database(settings.database_url)
poster = TweetPoster(
    XClientFactory(settings, SecretBox(settings.encryption_keys, settings.secret_key)),
    lease_s=settings.post_lease_s,
)


def _is_last_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:
        return False
    return message.options.get("retries", 0) >= POST_TWEET.retry.max_retries


@consumes(POST_TWEET)
def post_tweet(payload: PostTweet) -> None:
    with database.connection_context():
        poster.post(payload.tweet_id, last_attempt=_is_last_attempt())
