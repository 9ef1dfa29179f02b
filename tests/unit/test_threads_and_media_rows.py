"""Thread parts and images in the database: migration step 4 on an existing database
(also after another release's step 3), the poster resuming a thread at the first part
X lacks, and old images' bytes let go after their tweet is sent."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import tweepy

from tests.support.accounts import make_user
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.migrations import SchemaMigration, migrate
from tweetnow.shared.models import (
    Media,
    MediaBytes,
    MediaKind,
    ThreadPart,
    Tweet,
    TweetStatus,
)
from tweetnow.tweeter import tweet_parts, tweet_rows
from tweetnow.tweeter.media_retention import forget_old_images
from tweetnow.tweeter.posting import TransientXError, TweetPoster


def test_step_4_adds_the_thread_and_media_tables_to_a_database_that_had_a_step_3(db):
    database.drop_tables([MediaBytes, Media, ThreadPart])
    SchemaMigration.delete().where(SchemaMigration.version == 4).execute()
    # Step 3 (idempotency keys) came first, with a table of its own.
    assert SchemaMigration.get_or_none(SchemaMigration.version == 3) is not None
    assert not database.table_exists("thread_part")

    assert migrate(database) == [4]
    assert all(database.table_exists(t) for t in ("thread_part", "media", "mediabytes"))
    assert migrate(database) == []


class FakeClient:
    """Stands in for tweepy's client: X takes posts, or refuses the ones scripted to fail."""

    def __init__(self, fail_at: set[int] | None = None) -> None:
        self.fail_at = fail_at or set()
        self.posted: list[tuple[str, str | None]] = []
        self.calls = 0
        self.session = None

    def create_tweet(self, *, text, in_reply_to_tweet_id=None, media_ids=None, user_auth=True):
        self.calls += 1
        if self.calls in self.fail_at:
            response = SimpleNamespace(status_code=503, reason="down", json=dict, text="")
            raise tweepy.TwitterServerError(response)
        self.posted.append((text, in_reply_to_tweet_id))
        return SimpleNamespace(data={"id": str(1000 + len(self.posted))})


class FakeClients:
    def __init__(self, client: FakeClient) -> None:
        self.client = client

    def for_account(self, account):
        return self.client


def thread(deps, texts: list[str]) -> Tweet:
    user = make_user(deps.box, f"t{Tweet.select().count()}")
    tweet = Tweet.create(user=user, text=texts[0], job_id=f"job-{user.username}")
    for position, text in enumerate(texts):
        ThreadPart.create(tweet=tweet, position=position, text=text)
    return tweet


def test_a_thread_that_failed_at_part_2_resumes_there_and_replies_to_part_1(deps):
    tweet = thread(deps, ["one", "two", "three"])
    client = FakeClient(fail_at={2})
    poster = TweetPoster(FakeClients(client), lease_s=30)  # type: ignore[arg-type]
    with pytest.raises(TransientXError, match="Part 2 of 3"):
        poster.post(tweet.id, last_attempt=False)
    assert client.posted == [("one", None)]
    assert Tweet.get_by_id(tweet.id).status == TweetStatus.QUEUED

    poster.post(tweet.id, last_attempt=False)
    assert client.posted == [("one", None), ("two", "1001"), ("three", "1002")]
    parts = ThreadPart.select().where(ThreadPart.tweet == tweet).order_by(ThreadPart.position)
    assert [p.x_tweet_id for p in parts] == ["1001", "1002", "1003"]
    done = Tweet.get_by_id(tweet.id)
    assert (done.status, done.x_tweet_id) == (TweetStatus.SENT, "1001")


def test_a_redelivered_message_for_a_sent_thread_posts_nothing(deps):
    tweet = thread(deps, ["alpha", "beta"])
    client = FakeClient()
    poster = TweetPoster(FakeClients(client), lease_s=30)  # type: ignore[arg-type]
    poster.post(tweet.id, last_attempt=False)
    poster.post(tweet.id, last_attempt=False)
    assert [text for text, _ in client.posted] == ["alpha", "beta"]


def test_a_part_is_recorded_once(deps):
    tweet = thread(deps, ["a", "b"])
    assert tweet_parts.record_posted(tweet.id, 0, "1") is True
    assert tweet_parts.record_posted(tweet.id, 0, "2") is False
    assert ThreadPart.get(ThreadPart.tweet == tweet, ThreadPart.position == 0).x_tweet_id == "1"
    assert tweet_rows.extend_lease(tweet.id, 30) is False  # not sending: nothing more goes


def image(user, tweet=None, age=timedelta(0)) -> Media:
    media = Media.create(
        user=user,
        kind=MediaKind.PNG,
        size=3,
        width=1,
        height=1,
        sha256="x",
        tweet=tweet,
        position=0 if tweet else None,
        slot=0 if tweet else None,
        created_at=to_db(utcnow() - age),
    )
    MediaBytes.create(media=media, data=b"png")
    return media


def has_bytes(media: Media) -> bool:
    return MediaBytes.get_or_none(MediaBytes.media == media.id) is not None


def test_old_images_lose_their_bytes_once_their_tweet_is_long_sent(deps):
    user = make_user(deps.box, "keeper")
    now = utcnow()
    keep = timedelta(hours=24)
    sent_long_ago = Tweet.create(
        user=user,
        text="old",
        job_id="j1",
        status=TweetStatus.SENT,
        sent_at=to_db(now - timedelta(hours=25)),
    )
    sent_now = Tweet.create(
        user=user, text="new", job_id="j2", status=TweetStatus.SENT, sent_at=to_db(now)
    )
    failed = Tweet.create(
        user=user,
        text="failed",
        job_id="j3",
        status=TweetStatus.FAILED,
        updated_at=to_db(now - timedelta(days=3)),
    )
    old = image(user, sent_long_ago)
    recent = image(user, sent_now)
    kept_for_retry = image(user, failed)
    abandoned = image(user, age=timedelta(hours=25))
    fresh_upload = image(user)

    assert forget_old_images(now, keep) == {"media_bytes_deleted": 1, "media_unused_deleted": 1}
    assert Media.get_or_none(Media.id == old.id) is not None
    assert not has_bytes(old)
    assert has_bytes(recent)
    assert has_bytes(kept_for_retry)
    assert Media.get_or_none(Media.id == abandoned.id) is None
    assert not has_bytes(abandoned)
    assert has_bytes(fresh_upload)
