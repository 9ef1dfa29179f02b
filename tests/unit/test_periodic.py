"""Recurring jobs: schedules periodiq can fire, one run per tick, an idempotent
dispatcher, and a sweeper that re-sends only jobs nobody holds."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.support.accounts import make_user
from tests.support.web_api import QUEUE_KEY, bearer, queued_job_ids
from tweetnow.shared.broker import job_store
from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.jobs import WORKER_NAME, JobRecord, JobStatusStore
from tweetnow.shared.models import Tweet, TweetStatus
from tweetnow.shared.periodic import ALL_PERIODIC_JOBS, PeriodicRuns, check_cron
from tweetnow.shared.worker_registry import PREFIX as WORKERS
from tweetnow.shared.worker_registry import running_key, runs_now
from tweetnow.tweeter import housekeeping
from tweetnow.tweeter.housekeeping import dispatch_due_tweets, job_is_live, sweep_outbox


@pytest.mark.parametrize("expr", ["0 9 * * 0", "0 9 * * sun", "0 9 * * 0-5", "@weekly"])
def test_sunday_as_zero_is_refused(expr):
    with pytest.raises(ValueError, match=r"Sunday|weekly"):
        check_cron(expr)


def test_declared_schedules_are_valid_and_unique():
    names = [job.name for job in ALL_PERIODIC_JOBS]
    assert len(names) == len(set(names))
    for job in ALL_PERIODIC_JOBS:
        assert check_cron(job.cron) == job.cron
    assert check_cron("0 9 * * 7") == "0 9 * * 7"


def test_each_tick_runs_once(redis_client):
    runs = PeriodicRuns(redis_client)
    tick = "2026-11-23T10:00:00+00:00"
    assert runs.claim_tick("sweep_outbox", tick) is True
    assert runs.claim_tick("sweep_outbox", tick) is False
    assert runs.claim_tick("sweep_outbox", "2026-11-23T10:01:00+00:00") is True


def scheduled(deps, user, seconds: float, dispatched: bool = False) -> Tweet:
    now = utcnow()
    return Tweet.create(
        user=user,
        text=f"at +{seconds}s {uuid.uuid4().hex[:6]}",
        status=TweetStatus.SCHEDULED,
        job_id=str(uuid.uuid4()),
        send_at=to_db(now + timedelta(seconds=seconds)),
        dispatched_at=to_db(now) if dispatched else None,
    )


def test_dispatch_sends_due_tweets_once_even_when_two_run_at_once(deps, redis_client):
    user = make_user(deps.box, "sched")
    due = [scheduled(deps, user, s) for s in (-30, 5, 60)]
    later = scheduled(deps, user, 3600)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def dispatcher() -> None:
        barrier.wait()
        counts.append(dispatch_due_tweets(deps.broker, horizon_s=90))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 3
    immediate = redis_client.llen(QUEUE_KEY)
    delayed = redis_client.llen(f"{QUEUE_KEY}.DQ")
    assert (immediate, delayed) == (1, 2)  # the overdue one goes at once
    assert Tweet.get_by_id(later.id).dispatched_at is None
    assert all(Tweet.get_by_id(t.id).dispatched_at is not None for t in due)
    assert dispatch_due_tweets(deps.broker, horizon_s=90) == 0


def test_dispatch_takes_each_persons_due_tweets_in_turn(deps, redis_client, monkeypatch):
    flood, ann, ben = (make_user(deps.box, name) for name in ("flood", "ann", "ben"))
    flooded = [scheduled(deps, flood, -60 + i * 0.1) for i in range(250)]
    ann_tweet = scheduled(deps, ann, -10)  # due after the whole flood
    ben_tweet = scheduled(deps, ben, 30)

    assert dispatch_due_tweets(deps.broker, horizon_s=90) == housekeeping.PER_PERSON_PER_TICK + 2
    # Each person's first, then each person's second...: ann's goes right after the
    # flood's first (due earlier); ben's, not due yet, waits in the delay queue.
    queued = queued_job_ids(redis_client)
    assert queued[:2] == [flooded[0].job_id, ann_tweet.job_id]
    assert queued[2:] == [t.job_id for t in flooded[1 : housekeeping.PER_PERSON_PER_TICK]]
    assert Tweet.get_by_id(ben_tweet.id).dispatched_at is not None

    # The rest of the flood goes over the next ticks, at most PER_TICK jobs each.
    monkeypatch.setattr(housekeeping, "PER_TICK", 30)
    assert dispatch_due_tweets(deps.broker, horizon_s=90) == 30
    monkeypatch.undo()
    assert dispatch_due_tweets(deps.broker, horizon_s=90) == housekeeping.PER_PERSON_PER_TICK
    assert dispatch_due_tweets(deps.broker, horizon_s=90) == 250 - 230
    assert dispatch_due_tweets(deps.broker, horizon_s=90) == 0


def record(status: str, **times: str | None) -> JobRecord:
    fields = dict(
        id="j",
        status=status,
        attempts=0,
        error=None,
        enqueued_at=None,
        started_at=None,
        finished_at=None,
        next_attempt_at=None,
        actor=None,
        queue=None,
        owner_id=None,
        request_id=None,
        worker=None,
    )
    fields.update(times)
    return JobRecord(**fields)


def test_job_liveness():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    grace = timedelta(seconds=60)
    recent, old = iso(now - timedelta(seconds=10)), iso(now - timedelta(minutes=5))

    def runs(r: JobRecord) -> bool:
        return r.worker == "alive:1"

    def live(r: JobRecord | None) -> bool:
        return job_is_live(r, now, grace, runs)

    assert not live(None)
    assert live(record("queued", enqueued_at=recent))
    assert not live(record("queued", enqueued_at=old))
    assert live(record("retrying", next_attempt_at=iso(now + timedelta(minutes=3))))
    # Running: however long, as long as a live worker runs it; never otherwise.
    assert live(record("running", started_at=iso(now - timedelta(hours=1)), worker="alive:1"))
    assert not live(record("running", started_at=recent, worker="gone:2"))
    assert not live(record("succeeded"))


def test_sweeper_resends_only_orphans(deps, redis_client):
    user = make_user(deps.box, "sweep")
    old = to_db(utcnow() - timedelta(minutes=5))
    orphan = Tweet.create(user=user, text="orphan", job_id=str(uuid.uuid4()), updated_at=old)
    held = Tweet.create(user=user, text="held", job_id=str(uuid.uuid4()), updated_at=old)
    job_store(deps.broker).record_enqueued(
        held.job_id,
        actor="post_tweet",
        queue="tweets",
        delay_ms=None,
        retrying=False,
        owner_id=None,
        request_id=None,
    )
    fresh = Tweet.create(user=user, text="fresh", job_id=str(uuid.uuid4()))
    result = sweep_outbox(deps.broker, job_store(deps.broker), grace_s=60)
    assert result == {"tweets": 1, "mails": 0, "webhook_deliveries": 0}
    assert redis_client.llen(QUEUE_KEY) == 1
    assert job_store(deps.broker).get(orphan.job_id).status == "queued"
    assert job_store(deps.broker).get(fresh.job_id) is None


def runs_here(client: redis.Redis, job_id: str) -> None:
    """Record this process as a live worker running ``job_id``, as WorkerRegistry does."""
    client.zadd(WORKERS, {WORKER_NAME: time.time()})
    client.hset(running_key(WORKER_NAME), job_id, "{}")


def test_the_sweeper_resends_a_job_that_reads_running_with_no_worker_behind_it(deps, redis_client):
    """A worker froze mid-attempt and lost Redis before it could record the outcome: the
    job still reads running, its row is queued again, and no live worker runs it."""
    user = make_user(deps.box, "frozen")
    old = to_db(utcnow() - timedelta(minutes=5))
    store = job_store(deps.broker)
    orphan = Tweet.create(user=user, text="orphan", job_id=str(uuid.uuid4()), updated_at=old)
    running = Tweet.create(user=user, text="running", job_id=str(uuid.uuid4()), updated_at=old)
    for tweet in (orphan, running):
        store.record_enqueued(
            tweet.job_id,
            actor="post_tweet",
            queue="tweets",
            delay_ms=None,
            retrying=False,
            owner_id=None,
            request_id=None,
        )
        store.record_started(tweet.job_id)
    # The worker named in both records is alive, and runs only the second job.
    runs_here(redis_client, running.job_id)
    assert runs_now(redis_client, WORKER_NAME, running.job_id)
    assert not runs_now(redis_client, WORKER_NAME, orphan.job_id)
    assert not runs_now(redis_client, "elsewhere:1", running.job_id)

    result = sweep_outbox(deps.broker, store, grace_s=60)
    assert result == {"tweets": 1, "mails": 0, "webhook_deliveries": 0}
    assert queued_job_ids(redis_client) == [orphan.job_id]
    assert store.get(orphan.job_id).status == "queued"
    assert store.get(running.job_id).status == "running"


def test_a_job_reads_running_only_while_a_live_worker_runs_it(client, alice, redis_client):
    _, token = alice
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(token))
    job_id = r.json["job"]["id"]
    JobStatusStore(redis_client, ttl_s=60).record_started(job_id)  # as this process's worker

    def shown() -> str:
        return client.simulate_get(f"/api/jobs/{job_id}", headers=bearer(token)).json["status"]

    assert shown() == "queued"  # no live worker runs it: it waits to be taken again
    runs_here(redis_client, job_id)
    assert shown() == "running"
