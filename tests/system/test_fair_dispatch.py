"""The dispatcher is fair: one person's 100,000 tweets due in the same minute do not
delay another person's tweet due in that minute.

The flood is written straight into the database (the API would refuse it at
MAX_PENDING_TWEETS); everything else is real: the dispatcher's tick runs in the
tweeter process against Redis (sent to it the way the scheduler sends it), and
that tweeter posts to the sandbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
import redis

from tests.support.local_stack import LocalStack
from tests.support.processes import wait_until
from tests.support.stack import Person, Stack
from tests.support.stack_database import stack_database
from tweetnow.shared.broker import build_broker
from tweetnow.shared.clock import to_db
from tweetnow.shared.jobs import JobStatusStore
from tweetnow.shared.models import Tweet, TweetStatus, User
from tweetnow.shared.periodic import DISPATCH_DUE_TWEETS, PERIODIC_QUEUE
from tweetnow.shared.settings import Settings
from tweetnow.tweeter.housekeeping import PER_PERSON_PER_TICK

FLOOD = 100_000
#: Rows per INSERT: well under SQLite's limit of bound variables.
INSERT_CHUNK = 2_000


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def flooder(local: LocalStack, stack: Stack) -> Iterator[Person]:
    """A person; their scheduled tweets are canceled afterwards, so later tests' ticks
    have no flood to send."""
    person = stack.sign_in()
    yield person
    with stack_database(local):
        Tweet.update(status=TweetStatus.CANCELED).where(
            (Tweet.user == User.get(User.username == person.username).id)
            & (Tweet.status == TweetStatus.SCHEDULED)
        ).execute()


def write_flood(local: LocalStack, person: Person, start: datetime, end: datetime) -> list[str]:
    """FLOOD scheduled tweets of ``person`` due from ``start`` to ``end``; their job ids."""
    step = (end - start) / FLOOD
    job_ids = [str(uuid.uuid4()) for _ in range(FLOOD)]
    with stack_database(local) as db:
        user_id = User.get(User.username == person.username).id
        rows = [
            {
                "user": user_id,
                "text": f"flood {i}",
                "status": TweetStatus.SCHEDULED,
                "job_id": job_id,
                "send_at": to_db(start + step * i),
            }
            for i, job_id in enumerate(job_ids)
        ]
        with db.atomic():
            for i in range(0, FLOOD, INSERT_CHUNK):
                Tweet.insert_many(rows[i : i + INSERT_CHUNK]).execute()
    return job_ids


def run_dispatcher_tick(settings: Settings, store: JobStatusStore) -> None:
    """What the scheduler sends every minute (without a tick time: no once-per-tick lock);
    back when the tweeter has run it."""
    broker = build_broker(settings)
    tick = broker.enqueue(
        dramatiq.Message(
            queue_name=PERIODIC_QUEUE,
            actor_name=DISPATCH_DUE_TWEETS.name,
            args=(),
            kwargs={},
            options={},
        )
    )

    def ran() -> bool:
        record = store.get(tick.message_id)
        return record is not None and record.status == "succeeded"

    wait_until(ran, timeout=60, what="the dispatcher's tick", every=0.2)


@pytest.mark.timeout(240)
def test_a_flood_of_100000_due_tweets_does_not_delay_another_persons_tweet(
    local: LocalStack, stack: Stack, flooder: Person
):
    settings = Settings.from_env(local.env)
    other = stack.sign_in()
    now = datetime.now(UTC)
    due_at = now + timedelta(seconds=30)
    text = f"on time despite the flood {uuid.uuid4().hex[:8]}"
    r = other.post_tweet(text, send_at=due_at.isoformat())
    assert r.status_code == 202, r.text
    tweet_id, job_id = r.json()["tweet"]["id"], r.json()["job"]["id"]
    # Every tweet of the flood is due before the other person's, in the same minute.
    flood_jobs = write_flood(local, flooder, now - timedelta(seconds=25), due_at)

    store = JobStatusStore(redis.Redis.from_url(settings.redis_url), ttl_s=60)
    run_dispatcher_tick(settings, store)

    # Among the first enqueued: the flood's first tweet (due earlier) may go before it,
    # no more. The tick sent a tick's worth of the flood; the rest waits its turn.
    with stack_database(local):
        assert Tweet.get_by_id(tweet_id).dispatched_at is not None
    enqueued_at = store.get(job_id).enqueued_at
    with stack_database(local):
        sent = [
            t.job_id
            for t in Tweet.select(Tweet.job_id).where(
                Tweet.job_id.in_(flood_jobs) & Tweet.dispatched_at.is_null(False)
            )
        ]
    assert len(sent) == PER_PERSON_PER_TICK
    before = [j for j in sent if ts(store.get(j).enqueued_at) < ts(enqueued_at)]
    assert len(before) <= 1, f"{len(before)} of the flood's jobs were enqueued before it"

    job = other.wait_job(job_id, timeout=90)
    assert job["status"] == "succeeded", job
    (posted,) = [t for t in stack.sandbox_tweets(other.username) if t["text"] == text]
    lateness = ts(posted["created_at"]) - due_at.timestamp()
    # Never early; late only by the time posting takes, not by the flood.
    assert 0 <= lateness < 10, lateness
