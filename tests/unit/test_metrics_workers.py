"""The worker's scrape-time metrics read from Redis: how long the oldest ready job has
waited, how many live workers each queue has, and what is left of X's quotas."""

from __future__ import annotations

import time

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from tweetnow.shared.metrics import QueueDepths, QueueWorkers
from tweetnow.shared.worker_health import HEARTBEATS_KEY
from tweetnow.shared.worker_registry import PREFIX, worker_key
from tweetnow.tweeter.x_metrics import XQuotaRemaining
from tweetnow.tweeter.x_rate_limits import XRateLimits


def samples(collector: object) -> dict[tuple[str, tuple[str, ...]], float]:
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in collector.collect()  # type: ignore[attr-defined]
        for sample in family.samples
    }


def enqueue(broker: RedisBroker, queue: str, *, sent_s_ago: float, **options: object) -> None:
    message = dramatiq.Message(
        queue_name=queue,
        actor_name="post_tweet",
        args=(),
        kwargs={},
        options=dict(options),
        message_timestamp=int((time.time() - sent_s_ago) * 1000),
    )
    broker.enqueue(message)


def test_the_oldest_ready_message_gives_the_queue_its_waiting_time(redis_client: redis.Redis):
    broker = RedisBroker(client=redis_client)
    broker.declare_queue("tweets")
    enqueue(broker, "tweets", sent_s_ago=300)
    enqueue(broker, "tweets", sent_s_ago=5)
    got = samples(QueueDepths(redis_client, ["tweets", "mail"]))
    assert 299 <= got[("tweetnow_queue_oldest_waiting_seconds", ("tweets",))] < 330
    assert got[("tweetnow_queue_messages", ("tweets", "ready"))] == 2
    # An empty queue has waited for nothing.
    assert got[("tweetnow_queue_oldest_waiting_seconds", ("mail",))] == 0


def test_a_delayed_message_waits_from_when_it_was_due(redis_client: redis.Redis):
    broker = RedisBroker(client=redis_client)
    broker.declare_queue("tweets")
    # Sent an hour ago with a delay that ended 10 s ago, now in the ready list.
    enqueue(broker, "tweets", sent_s_ago=3600, eta=int((time.time() - 10) * 1000))
    got = samples(QueueDepths(redis_client, ["tweets"]))
    assert 9 <= got[("tweetnow_queue_oldest_waiting_seconds", ("tweets",))] < 40


def register(client: redis.Redis, name: str, queues: str, beat_s_ago: float) -> None:
    now = time.time()
    client.zadd(PREFIX, {name: now})
    client.hset(worker_key(name), mapping={"broker_id": f"broker-{name}", "queues": queues})
    client.zadd(HEARTBEATS_KEY, {f"broker-{name}": (now - beat_s_ago) * 1000})


def test_queue_workers_count_only_processes_with_a_fresh_heartbeat(redis_client: redis.Redis):
    register(redis_client, "tweeter-a:7", "periodic,tweets", beat_s_ago=1)
    register(redis_client, "tweeter-b:7", "periodic,tweets", beat_s_ago=2)
    register(redis_client, "tweeter-c:9", "periodic,tweets", beat_s_ago=120)  # stuck
    register(redis_client, "mailer-a:7", "mail", beat_s_ago=1)
    depths = QueueDepths(redis_client, ["tweets", "periodic"])
    got = samples(QueueWorkers(depths, heartbeat_timeout_ms=60_000))
    assert got == {
        ("tweetnow_queue_workers", ("tweets",)): 2,
        ("tweetnow_queue_workers", ("periodic",)): 2,
    }


def test_a_queue_whose_workers_all_stopped_beating_has_none(redis_client: redis.Redis):
    register(redis_client, "mailer-a:7", "mail", beat_s_ago=90)
    got = samples(QueueWorkers(QueueDepths(redis_client, ["mail"]), heartbeat_timeout_ms=60_000))
    assert got == {("tweetnow_queue_workers", ("mail",)): 0}


def window(remaining: int, reset: float, prefix: str = "x-rate-limit") -> dict[str, str]:
    return {
        f"{prefix}-limit": "100",
        f"{prefix}-remaining": str(remaining),
        f"{prefix}-reset": str(int(reset)),
    }


def test_x_quota_remaining_is_the_lowest_person_and_the_app(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    soon = time.time() + 600
    limits.settle("1", window(40, soon), reserved=False)
    limits.settle("2", window(7, soon), reserved=False)
    limits.settle("3", window(1, time.time() - 5), reserved=False)  # an ended window
    limits.settle("2", window(9000, soon + 80_000, "x-app-limit-24hour"), reserved=False)
    got = samples(XQuotaRemaining(redis_client))
    assert got == {
        ("tweetnow_x_quota_remaining", ("user",)): 7,
        ("tweetnow_x_quota_remaining", ("app_day",)): 9000,
    }


def test_no_quota_heard_of_gives_no_sample(redis_client: redis.Redis):
    assert samples(XQuotaRemaining(redis_client)) == {}
