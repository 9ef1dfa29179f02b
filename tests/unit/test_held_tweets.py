"""A connection X stops accepting: the guard that makes one break one notice, tweets held
instead of failed (without calling X once the connection is known broken), reconnecting
releasing them once, HELD_MAX_DAYS failing old ones, and disconnecting."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
import tweepy

from tests.support.accounts import make_user
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import (
    ConnectionMethod,
    ConnectionStatus,
    Tweet,
    TweetStatus,
    User,
    XConnection,
)
from tweetnow.tweeter import connection_rows
from tweetnow.tweeter.held_tweets import fail_long_held
from tweetnow.tweeter.posting import TweetPoster
from tweetnow.web.domain.connections import disconnect, release_held, save_connection
from tweetnow.web.domain.errors import Conflict, NotFound
from tweetnow.web.x_signin import XAccount


def unauthorized() -> tweepy.Unauthorized:
    r = requests.Response()
    r.status_code = 401
    r.reason = "Unauthorized"
    r._content = json.dumps({"title": "Unauthorized", "detail": "Unauthorized"}).encode()
    r.headers.update({"content-type": "application/json"})
    return tweepy.Unauthorized(r)


class RevokedClient:
    """X as it answers a revoked account: 401 to every post; counts the calls."""

    session = None

    def __init__(self) -> None:
        self.calls = 0

    def create_tweet(self, **_: object) -> None:
        self.calls += 1
        raise unauthorized()


class Clients:
    def __init__(self, client: RevokedClient) -> None:
        self.client = client

    def for_account(self, _account: object) -> RevokedClient:
        return self.client


def connection_of(deps, username: str) -> tuple[User, XConnection]:
    user = make_user(deps.box, username)
    connection = XConnection.create(
        user=user,
        x_user_id=user.x_user_id,
        username=username,
        access_token=user.x_access_token,
        access_secret=user.x_access_secret,
    )
    return user, connection


def tweet_of(connection: XConnection, n: int, status=TweetStatus.QUEUED, **fields) -> Tweet:
    return Tweet.create(
        user=connection.user_id,
        connection=connection,
        text=f"tweet {n}",
        status=status,
        job_id=f"job-{connection.id}-{n}",
        **fields,
    )


def test_a_break_is_marked_once_until_the_connection_is_renewed(deps):
    user, connection = connection_of(deps, "ada")
    assert connection_rows.mark_reconnect_needed(connection.id, "revoked") is True
    assert connection_rows.mark_reconnect_needed(connection.id, "revoked again") is False
    row = XConnection.get_by_id(connection.id)
    assert (row.status, row.status_reason) == (ConnectionStatus.RECONNECT_NEEDED, "revoked")

    account = XAccount(user.x_user_id, "ada", "Ada", "new-token", "new-secret")
    save_connection(deps.box, user, account, ConnectionMethod.OAUTH1)
    assert XConnection.get_by_id(connection.id).status == ConnectionStatus.ACTIVE
    assert connection_rows.mark_reconnect_needed(connection.id, "revoked later") is True


def test_a_401_holds_the_tweet_and_notifies_once_and_later_tweets_wait_without_calling_x(
    deps,
):
    _, connection = connection_of(deps, "bea")
    first, second = tweet_of(connection, 1), tweet_of(connection, 2)
    client = RevokedClient()
    breaks: list[tuple[int, str]] = []
    committed: list[int] = []
    failures: list[int] = []

    def on_broken(tweet: Tweet, conn: XConnection, reason: str) -> Callable[[], object]:
        breaks.append((conn.id, reason))
        return lambda: committed.append(conn.id)

    poster = TweetPoster(
        Clients(client),  # type: ignore[arg-type]
        lease_s=30,
        on_failed=lambda tweet, _reason: failures.append(tweet.id),
        on_broken=on_broken,
    )

    poster.post(first.id, last_attempt=False)
    poster.post(second.id, last_attempt=False)
    poster.post(first.id, last_attempt=False)  # a redelivered message

    assert client.calls == 1
    assert [c for c, _ in breaks] == [connection.id]
    assert committed == [connection.id]  # the notice's job goes after the commit
    assert "@bea" in breaks[0][1]
    assert failures == []
    for tweet in (first, second):
        row = Tweet.get_by_id(tweet.id)
        assert row.status == TweetStatus.HELD
        assert row.error == "waiting until @bea is reconnected"
        assert row.lease_until is None
    assert XConnection.get_by_id(connection.id).status == ConnectionStatus.RECONNECT_NEEDED


def test_reconnecting_releases_held_tweets_once_and_future_ones_are_scheduled_again(deps):
    user, connection = connection_of(deps, "cyd")
    connection_rows.mark_reconnect_needed(connection.id, "revoked")
    due = tweet_of(connection, 1, TweetStatus.HELD, error="waiting")
    later = tweet_of(
        connection,
        2,
        TweetStatus.HELD,
        send_at=to_db(utcnow() + timedelta(hours=3)),
        dispatched_at=to_db(utcnow()),
    )
    sent = tweet_of(connection, 3, TweetStatus.SENT)

    account = XAccount(user.x_user_id, "cyd", "Cyd", "new-token", "new-secret")
    save_connection(deps.box, user, account, ConnectionMethod.OAUTH1, deps.broker)

    released = Tweet.get_by_id(due.id)
    assert (released.status, released.error) == (TweetStatus.QUEUED, None)
    assert released.job_id != due.job_id
    assert deps.jobs.get(released.job_id) is not None  # its new job was sent
    rescheduled = Tweet.get_by_id(later.id)
    assert rescheduled.status == TweetStatus.SCHEDULED
    assert rescheduled.dispatched_at is None  # the dispatcher sends it when it falls due
    assert Tweet.get_by_id(sent.id).job_id == sent.job_id
    assert release_held(deps.broker, connection.id) == 0


def test_tweets_held_longer_than_held_max_days_fail_with_the_reason(deps):
    _, connection = connection_of(deps, "dan")
    old = tweet_of(
        connection,
        1,
        TweetStatus.HELD,
        error="waiting",
        updated_at=to_db(utcnow() - timedelta(days=8)),
    )
    recent = tweet_of(
        connection,
        2,
        TweetStatus.HELD,
        error="waiting",
        updated_at=to_db(utcnow() - timedelta(days=6)),
    )
    notified: list[tuple[int, str]] = []

    def hook(tweet, reason):
        notified.append((tweet.id, reason))

    assert fail_long_held(max_days=7, on_failed=hook) == 1
    reason = "held for more than 7 days because @dan needs reconnecting"
    assert notified == [(old.id, reason)]
    failed = Tweet.get_by_id(old.id)
    assert (failed.status, failed.error) == (TweetStatus.FAILED, reason)
    assert Tweet.get_by_id(recent.id).status == TweetStatus.HELD
    assert fail_long_held(max_days=7, on_failed=hook) == 0
    assert len(notified) == 1


def test_disconnecting_erases_tokens_and_cancels_pending_tweets_but_not_a_sending_one(deps):
    user, _ = connection_of(deps, "eve")
    other = XConnection.create(
        user=user,
        x_user_id="424242",
        username="evealt",
        access_token=deps.box.encrypt("t"),
        access_secret=deps.box.encrypt("s"),
    )
    pending = [
        tweet_of(other, n, status)
        for n, status in enumerate((TweetStatus.QUEUED, TweetStatus.SCHEDULED, TweetStatus.HELD))
    ]
    sending = tweet_of(other, 7, TweetStatus.SENDING)
    sent = tweet_of(other, 8, TweetStatus.SENT)

    disconnect(deps.jobs, user, other.id)

    row = XConnection.get_by_id(other.id)
    assert row.status == ConnectionStatus.DISCONNECTED
    assert (row.access_token, row.access_secret) == ("", "")
    for tweet in pending:
        canceled = Tweet.get_by_id(tweet.id)
        assert canceled.status == TweetStatus.CANCELED
        assert canceled.error == "the X account @evealt was disconnected"
        assert deps.jobs.get(tweet.job_id).status == "canceled"
    assert Tweet.get_by_id(sending.id).status == TweetStatus.SENDING
    assert Tweet.get_by_id(sent.id).status == TweetStatus.SENT


def test_the_sign_in_account_cannot_be_disconnected_nor_someone_elses(deps):
    ada, own = connection_of(deps, "fay")
    _, theirs = connection_of(deps, "gus")
    with pytest.raises(Conflict) as refused:
        disconnect(deps.jobs, ada, own.id)
    assert "sign in with" in str(refused.value)
    with pytest.raises(NotFound):
        disconnect(deps.jobs, ada, theirs.id)
    assert XConnection.get_by_id(own.id).status == ConnectionStatus.ACTIVE
    assert XConnection.get_by_id(theirs.id).status == ConnectionStatus.ACTIVE
