"""Posting one tweet: claim the row, call X, record what happened; and the actor that does it.

The ``post_tweet`` actor consumes ``POST_TWEET`` with the retry policy of the
settings the worker was started with. Whether an attempt is the last one is
Dramatiq's retry count (``jobs.is_last_attempt``); whether a failure ends the
tweet is ``jobs.final_failure``, the same rule the mailer follows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import dramatiq
import tweepy
from dramatiq.middleware import CurrentMessage

from tweetnow.shared.clock import from_db, utcnow
from tweetnow.shared.contracts import PermanentFailure, consumes
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import database
from tweetnow.shared.jobs import final_failure, give_attempt_back, is_last_attempt
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import POST_TWEET, PostTweet, retry_policy
from tweetnow.shared.models import MailKind, Tweet, XConnection
from tweetnow.shared.outbox import enqueue_mail, record_mail, request_mail
from tweetnow.shared.webhook_events import WebhookEvents
from tweetnow.shared.worker import WorkerRuntime

from . import connection_rows, tweet_parts, tweet_rows
from .x_api import XApiSession
from .x_client import Outcome, PostingAccount, XClientFactory, classify
from .x_metrics import count_x_response
from .x_rate_limits import XRateLimits

log = get_logger(__name__)

#: How far back (before the row was created) a tweet found on X may date and
#: still count as ours: clocks of X and of this system differ a little.
CLOCK_SKEW = timedelta(seconds=30)


#: Called once when a tweet ends failed (e.g. to mail its author a notice).
FailureHook = Callable[[Tweet, str], None]

#: Called once per break when X stops taking a connection's access, inside the
#: transaction that records the break (to record the mail to its person); what it
#: returns is called after the commit (to send that mail's job).
BreakHook = Callable[[Tweet, XConnection, str], Callable[[], object] | None]


class TransientXError(Exception):
    """X could not take the tweet now; Dramatiq retries with backoff."""


class ConnectionBroken(Exception):
    """X no longer takes the connection's access: the tweet is held, its job ends."""


def reconnect_reason(handle: str) -> str:
    return (
        f"X no longer accepts tweetnow's access to @{handle}: "
        f"sign in with X as @{handle} again to reconnect it"
    )


def held_reason(handle: str) -> str:
    return f"waiting until @{handle} is reconnected"


class HeldBack(dramatiq.Retry):
    """Not an attempt: X's quota is used up until a reset, so the job waits for it.

    The actor gives the job its attempt back (``jobs.give_attempt_back``).
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
        on_broken: BreakHook | None = None,
    ) -> None:
        self.clients = clients
        self.lease_s = lease_s
        self.on_failed = on_failed
        self.on_broken = on_broken
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
        if tweet.connection_id is not None:
            broken = connection_rows.needs_reconnecting(tweet.connection_id)
            if broken is not None:
                self._hold(tweet, broken.username)
                return
        try:
            self._post_all(tweet, claim, last_attempt)
        except ConnectionBroken:
            return

    def _hold(self, tweet: Tweet, handle: str) -> None:
        tweet_rows.hold(tweet.id, held_reason(handle))
        log.info("tweet_held", tweet_id=tweet.id, connection_id=tweet.connection_id)

    def _post_all(self, tweet: Tweet, claim: tweet_rows.Claimed, last_attempt: bool) -> None:
        account = PostingAccount.of(tweet)
        client = self.clients.for_account(account)
        posted: list[str] = []
        for part in tweet_parts.parts_of(tweet):
            if part.x_tweet_id is None:
                if part.in_thread and not tweet_rows.extend_lease(tweet.id, self.lease_s):
                    log.warning("thread_taken_over", tweet_id=tweet.id, position=part.position)
                    return
                reply_to = posted[-1] if posted else None
                x_id = self._post_part(tweet, account, client, part, reply_to, claim, last_attempt)
                if part.in_thread:
                    tweet_parts.record_posted(tweet.id, part.position, x_id)
                    log.debug(
                        "thread_part_sent", tweet_id=tweet.id, part=part.label(), x_tweet_id=x_id
                    )
                posted.append(x_id)
            else:
                posted.append(part.x_tweet_id)
        tweet_rows.mark_sent(tweet.id, posted[0])
        if account.connection_id is not None:
            connection_rows.mark_used(account.connection_id)
        log.info("tweet_sent", tweet_id=tweet.id, x_tweet_id=posted[0], parts=len(posted))

    def _post_part(
        self,
        tweet: Tweet,
        account: PostingAccount,
        client: tweepy.Client,
        part: tweet_parts.PartToPost,
        reply_to: str | None,
        claim: tweet_rows.Claimed,
        last_attempt: bool,
    ) -> str:
        """Post one part (its images first), as a reply to ``reply_to``: X's id for it.
        Raises when the tweet is to be retried or has failed."""
        log.debug("tweet_posting", tweet_id=tweet.id, attempt=tweet.attempts, part=part.label())
        try:
            media_ids = self._upload_images(tweet, account, part)
            self._reserve_quota(tweet, account)
            try:
                response = client.create_tweet(
                    text=part.text,
                    in_reply_to_tweet_id=reply_to,
                    media_ids=media_ids or None,
                    user_auth=True,
                )
            finally:
                self._settle_quota(account, client)
        except HeldBack:
            raise
        except Exception as exc:
            return self._handle_failure(
                exc, tweet, account, client, part, claim.earlier_attempt, last_attempt
            )
        return str(response.data["id"])

    def _upload_images(
        self, tweet: Tweet, account: PostingAccount, part: tweet_parts.PartToPost
    ) -> list[str]:
        """Upload the part's images afresh (X's media ids expire: none is kept between
        attempts), keeping the tweet's lease while they go."""
        images = tweet_parts.images_of(tweet.id, part.position)
        if not images:
            return []
        uploads = self.clients.media_for_account(account)
        x_media_ids = []
        for image in images:
            tweet_rows.extend_lease(tweet.id, self.lease_s)
            x_media_ids.append(uploads.upload(image))
        return x_media_ids

    def _reserve_quota(self, tweet: Tweet, account: PostingAccount) -> None:
        """Take one post from X's quotas, or hold the tweet back until they reset."""
        if self.rate_limits is None:
            return
        held = self.rate_limits.reserve(account.x_user_id)
        if held is None:
            return
        until = datetime.fromtimestamp(held.until, UTC)
        reason = held_back_reason(until)
        tweet_rows.hold_back(tweet.id, reason)
        log.info("tweet_held_back", tweet_id=tweet.id, until=until.isoformat(timespec="seconds"))
        raise HeldBack(reason, delay=held.delay_ms())

    def _settle_quota(self, account: PostingAccount, client: tweepy.Client) -> None:
        session = client.session
        if isinstance(session, XApiSession):
            count_x_response(session.last_status)
        if self.rate_limits is None:
            return
        headers = session.last_headers if isinstance(session, XApiSession) else None
        try:
            self.rate_limits.settle(account.x_user_id, headers)
        except Exception as exc:  # the post itself must not fail for want of bookkeeping
            log.warning("x_quota_not_recorded", error=str(exc))

    def _handle_failure(
        self,
        exc: Exception,
        tweet: Tweet,
        account: PostingAccount,
        client: tweepy.Client,
        part: tweet_parts.PartToPost,
        earlier_attempt: bool,
        last_attempt: bool,
    ) -> str:
        """X's id of the part if an earlier attempt had posted it after all; otherwise
        the tweet is released for a retry or failed, and this raises."""
        if isinstance(exc, tweepy.Unauthorized) and account.connection_id is not None:
            self._connection_broken(tweet, account.connection_id)
        failure = classify(exc)
        if failure is None:
            tweet_rows.release(tweet.id, "an unexpected error; retrying")
            raise exc

        if failure.outcome is Outcome.DUPLICATE and earlier_attempt:
            found = self._find_on_x(client, tweet, account, part.text)
            if found is not None:
                log.info(
                    "tweet_found_already_posted",
                    tweet_id=tweet.id,
                    x_tweet_id=found,
                    part=part.label(),
                )
                return found

        said = (
            f"{part.label().capitalize()}: {failure.reason}" if part.in_thread else failure.reason
        )
        reason = final_failure(
            said,
            permanent=failure.permanent,
            last_attempt=last_attempt,
            attempts=tweet.attempts,
        )
        if reason is not None:
            if tweet_rows.mark_failed(tweet.id, reason) and self.on_failed is not None:
                self.on_failed(tweet, reason)
            log.warning("tweet_failed", tweet_id=tweet.id, reason=reason)
            raise PermanentFailure(reason) from exc

        if failure.outcome is Outcome.RATE_LIMITED:
            wait_s = failure.retry_after_s or 60.0
            resume = utcnow() + timedelta(seconds=wait_s)
            reason = f"{said}; next try at {resume.isoformat(timespec='seconds')}"
            tweet_rows.release(tweet.id, reason)
            log.info("tweet_rate_limited", tweet_id=tweet.id, wait_s=round(wait_s, 1))
            raise HeldBack(reason, delay=int(wait_s * 1000))

        tweet_rows.release(tweet.id, f"{said}; retrying")
        raise TransientXError(said) from exc

    def _connection_broken(self, tweet: Tweet, connection_id: int) -> None:
        """X refused the connection's access (a refresh, if any, could not cure it): it
        needs reconnecting, the tweet waits for that. Raises ConnectionBroken."""
        connection = XConnection.get_by_id(connection_id)
        reason = reconnect_reason(connection.username)
        after_commit = None
        with database.atomic():  # the break and its notice's row: both or neither
            if connection_rows.mark_reconnect_needed(connection_id, reason):
                log.warning("connection_reconnect_needed", connection_id=connection_id)
                if self.on_broken is not None:
                    after_commit = self.on_broken(tweet, connection, reason)
        if after_commit is not None:
            after_commit()
        self._hold(tweet, connection.username)
        raise ConnectionBroken(reason)

    def _find_on_x(
        self, client: tweepy.Client, tweet: Tweet, account: PostingAccount, text: str
    ) -> str | None:
        """The id of this tweet (or thread part) on X if an earlier attempt of ours
        posted it."""
        created = from_db(tweet.created_at)
        assert created is not None
        response = client.get_users_tweets(
            id=account.x_user_id,
            user_auth=True,
            tweet_fields=["created_at"],
            max_results=100,
        )
        for candidate in response.data or []:
            if candidate.text == text and (
                candidate.created_at is None or candidate.created_at >= created - CLOCK_SKEW
            ):
                return str(candidate.id)
        return None


def failed_tweet_notice(broker: dramatiq.Broker) -> FailureHook:
    """The hook that mails a tweet's author that it failed, once per tweet, if they gave
    an address."""

    def notify_author(tweet: Tweet, reason: str) -> None:
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

    return notify_author


def declare_post_tweet(runtime: WorkerRuntime) -> None:
    """Declare the ``post_tweet`` actor, with the poster its settings describe."""
    settings, broker = runtime.settings, runtime.broker
    retry = retry_policy(POST_TWEET, settings)

    notify_author = failed_tweet_notice(broker)

    def notify_reconnect(
        tweet: Tweet, connection: XConnection, reason: str
    ) -> Callable[[], object] | None:
        """Record the mail telling the person that the connection needs reconnecting (one
        per break); its job goes after the commit (or, if Redis fails, with the sweeper)."""
        user = tweet.user
        if not user.email:
            return None
        mail = record_mail(
            kind=MailKind.RECONNECT_NEEDED,
            recipient=user.email,
            user=user,
            data={"connection_id": connection.id, "handle": connection.username, "reason": reason},
            dedupe_key=f"reconnect_needed:{connection.id}:{connection.updated_at}",
            request_id=tweet.request_id,
        )
        return None if mail is None else partial(enqueue_mail, broker, mail)

    poster = TweetPoster(
        XClientFactory(settings, SecretBox(settings.encryption_keys), runtime.redis),
        lease_s=settings.post_lease_s,
        on_failed=notify_author,
        rate_limits=XRateLimits(runtime.redis),
        on_broken=notify_reconnect,
    )

    # Each attempt, however it ended, records the webhook event of a final state.
    events = WebhookEvents(broker, x_web_base_url=settings.x_web_base_url)

    @consumes(POST_TWEET, broker=broker, retry=retry)
    def post_tweet(payload: PostTweet) -> None:
        message = CurrentMessage.get_current_message()
        with runtime.database.connection_context():
            try:
                poster.post(
                    payload.tweet_id, last_attempt=is_last_attempt(message, retry.max_retries)
                )
            except HeldBack:
                give_attempt_back(message, retry.max_retries)
                raise
            finally:
                events.after_tweet(payload.tweet_id)
