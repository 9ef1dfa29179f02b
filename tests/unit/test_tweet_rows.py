"""A tweet row can be claimed by one worker at a time, and never once it is done."""

from __future__ import annotations

from datetime import timedelta

from tests.support.accounts import make_user
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import Tweet, TweetStatus
from tweetnow.tweeter import tweet_rows


def new_tweet(deps, status=TweetStatus.QUEUED) -> Tweet:
    user = make_user(deps.box, f"u{Tweet.select().count()}")
    return Tweet.create(user=user, text="hi", status=status, job_id=f"job-{user.username}")


def test_first_claim_wins_and_a_second_is_told_to_wait(deps):
    tweet = new_tweet(deps)
    first = tweet_rows.claim(tweet.id, lease_s=30)
    assert isinstance(first, tweet_rows.Claimed)
    assert first.earlier_attempt is False
    assert first.tweet.status == TweetStatus.SENDING
    second = tweet_rows.claim(tweet.id, lease_s=30)
    assert isinstance(second, tweet_rows.Busy)
    assert second.lease_until > utcnow()


def test_an_expired_lease_is_taken_over_and_flagged_as_an_earlier_attempt(deps):
    tweet = new_tweet(deps)
    assert isinstance(tweet_rows.claim(tweet.id, lease_s=30), tweet_rows.Claimed)
    Tweet.update(lease_until=to_db(utcnow() - timedelta(seconds=1))).execute()
    again = tweet_rows.claim(tweet.id, lease_s=30)
    assert isinstance(again, tweet_rows.Claimed)
    assert again.earlier_attempt is True
    assert again.tweet.attempts == 2


def test_done_tweets_are_never_claimed(deps):
    for status in (TweetStatus.SENT, TweetStatus.FAILED, TweetStatus.CANCELED):
        tweet = new_tweet(deps, status)
        assert tweet_rows.claim(tweet.id, lease_s=30) == tweet_rows.Finished(status=status)
    assert tweet_rows.claim(999_999, lease_s=30) is None


def test_sent_only_from_sending_and_release_goes_back_to_queued(deps):
    tweet = new_tweet(deps)
    assert not tweet_rows.mark_sent(tweet.id, "1")  # not claimed: refused
    tweet_rows.claim(tweet.id, lease_s=30)
    assert tweet_rows.release(tweet.id, "X is having trouble; retrying")
    row = Tweet.get_by_id(tweet.id)
    assert (row.status, row.error, row.lease_until) == (
        "queued",
        "X is having trouble; retrying",
        None,
    )
    tweet_rows.claim(tweet.id, lease_s=30)
    assert tweet_rows.mark_sent(tweet.id, "1800")
    row = Tweet.get_by_id(tweet.id)
    assert (row.status, row.x_tweet_id, row.error) == ("sent", "1800", None)
    assert row.sent_at is not None
    assert not tweet_rows.mark_failed(tweet.id, "late")  # a sent tweet stays sent
