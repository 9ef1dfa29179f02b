"""Posting one tweet: claim the row, call X, record what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import dramatiq
import tweepy

from tweetnow.shared.clock import from_db, utcnow
from tweetnow.shared.errors import PermanentFailure
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.models import Tweet, User
from tweetnow.shared.x_api import XApiSession
from tweetnow.shared.x_rate_limits import XRateLimits

from . import tweet_rows
from .x_client import XClientFactory
from .x_errors import Outcome, classify

log = get_logger(__name__)

#: How far back (before the row was created) a tweet found on X may date and
#: still count as ours: clocks of X and of this system differ a little.
CLOCK_SKEW = timedelta(seconds=30)


#: Called once when a tweet ends failed (e.g. to mail its author a notice).
FailureHook = Callable[[Tweet, str], None]


class TransientXError(Exception):
    """X could not take the tweet now; Dramatiq retries with backoff."""


class HeldBack(dramatiq.Retry):
    """Not an attempt: X's quota is used up until a reset, so the job waits for it.

    The actor gives the job its retry back (see ``actors.post_tweet``).
    """


def held_back_reason(until: datetime) -> str:
    return f"held back by X's rate limit until {until.astimezone(UTC):%H:%M:%S}Z"


class TweetPoster:
    def __init__(
        self,
        clients: XClientFactory,
        *,
        lease_s: float,
        on_failed: FailureHook | None = None,
        rate_limits: XRateLimits | None = None,
    ) -> None:
        self.clients = clients
        self.lease_s = lease_s
        self.on_failed = on_failed
        self.rate_limits = rate_limits

    def post(self, tweet_id: int, *, last_attempt: bool) -> None:
        claim = tweet_rows.claim(tweet_id, self.lease_s)
        if claim is None:
            log.warning("tweet_missing", tweet_id=tweet_id)
            return
        if isinstance(claim, tweet_rows.Finished):
            log.info("tweet_already_done", tweet_id=tweet_id, status=claim.status)
            return
        if isinstance(claim, tweet_rows.Busy):
            wait_ms = max(int((claim.lease_until - utcnow()).total_seconds() * 1000), 0) + 500
            raise dramatiq.Retry("another worker is posting this tweet", delay=wait_ms)
        if isinstance(claim, tweet_rows.NotDue):
            wait_ms = int((claim.send_at - utcnow()).total_seconds() * 1000)
            raise dramatiq.Retry("the tweet is not due yet", delay=max(wait_ms, 0))

        tweet = claim.tweet
        user: User = tweet.user
        self._reserve_quota(tweet, user)
        client = self.clients.for_user(user)
        log.info("tweet_posting", tweet_id=tweet.id, attempt=tweet.attempts)
        try:
            try:
                response = client.create_tweet(text=tweet.text, user_auth=True)
            finally:
                self._settle_quota(user, client)
        except Exception as exc:
            self._handle_failure(exc, tweet, client, claim.earlier_attempt, last_attempt)
            return
        x_id = str(response.data["id"])
        tweet_rows.mark_sent(tweet.id, x_id)
        log.info("tweet_sent", tweet_id=tweet.id, x_tweet_id=x_id)

    def _reserve_quota(self, tweet: Tweet, user: User) -> None:
        """Take one post from X's quotas, or hold the tweet back until they reset."""
        if self.rate_limits is None:
            return
        held = self.rate_limits.reserve(user.x_user_id)
        if held is None:
            return
        until = datetime.fromtimestamp(held.until, UTC)
        reason = held_back_reason(until)
        tweet_rows.hold_back(tweet.id, reason)
        log.info("tweet_held_back", tweet_id=tweet.id, until=until.isoformat(timespec="seconds"))
        raise HeldBack(reason, delay=held.delay_ms())

    def _settle_quota(self, user: User, client: tweepy.Client) -> None:
        if self.rate_limits is None:
            return
        session = client.session
        headers = session.last_headers if isinstance(session, XApiSession) else None
        try:
            self.rate_limits.settle(user.x_user_id, headers)
        except Exception as exc:  # the post itself must not fail for want of bookkeeping
            log.warning("x_quota_not_recorded", error=str(exc))

    def _handle_failure(
        self,
        exc: Exception,
        tweet: Tweet,
        client: tweepy.Client,
        earlier_attempt: bool,
        last_attempt: bool,
    ) -> None:
        failure = classify(exc)
        if failure is None:
            tweet_rows.release(tweet.id, "an unexpected error; retrying")
            raise exc

        if failure.outcome is Outcome.DUPLICATE and earlier_attempt:
            found = self._find_on_x(client, tweet)
            if found is not None:
                tweet_rows.mark_sent(tweet.id, found)
                log.info("tweet_found_already_posted", tweet_id=tweet.id, x_tweet_id=found)
                return

        if failure.outcome in (Outcome.DUPLICATE, Outcome.PERMANENT) or last_attempt:
            reason = failure.reason
            if last_attempt and failure.outcome not in (Outcome.DUPLICATE, Outcome.PERMANENT):
                reason = f"gave up after {tweet.attempts} attempts: {failure.reason}"
            if tweet_rows.mark_failed(tweet.id, reason) and self.on_failed is not None:
                self.on_failed(tweet, reason)
            log.warning("tweet_failed", tweet_id=tweet.id, reason=reason)
            raise PermanentFailure(reason) from exc

        if failure.outcome is Outcome.RATE_LIMITED:
            wait_s = failure.retry_after_s or 60.0
            resume = utcnow() + timedelta(seconds=wait_s)
            reason = f"{failure.reason}; next try at {resume.isoformat(timespec='seconds')}"
            tweet_rows.release(tweet.id, reason)
            log.info("tweet_rate_limited", tweet_id=tweet.id, wait_s=round(wait_s, 1))
            raise HeldBack(reason, delay=int(wait_s * 1000))

        tweet_rows.release(tweet.id, f"{failure.reason}; retrying")
        raise TransientXError(failure.reason) from exc

    def _find_on_x(self, client: tweepy.Client, tweet: Tweet) -> str | None:
        """The id of this tweet on X if an earlier attempt of ours posted it."""
        created = from_db(tweet.created_at)
        assert created is not None
        response = client.get_users_tweets(
            id=tweet.user.x_user_id,
            user_auth=True,
            tweet_fields=["created_at"],
            max_results=100,
        )
        for candidate in response.data or []:
            if candidate.text == tweet.text and (
                candidate.created_at is None or candidate.created_at >= created - CLOCK_SKEW
            ):
                return str(candidate.id)
        return None
