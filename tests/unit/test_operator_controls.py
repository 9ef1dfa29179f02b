"""Pause, resume and quiet at the consumer, against a real Redis and a Dramatiq worker:
what a held-back consumer leaves in Redis, what it gives back, and that it stays alive."""

from __future__ import annotations

import time

import redis

from tests.support.noop_worker import QUEUE, running_worker, send, wakeup_broker
from tests.support.processes import RedisServer, wait_until
from tweetnow.shared.operator_controls import (
    AUDIT_LENGTH,
    HoldBack,
    Operator,
    OperatorControls,
)
from tweetnow.shared.worker_registry import quiet_key, worker_key

ROOT = Operator(x_user_id="1001", handle="root")
#: Long enough for a consumer that ignored the controls to have taken a message many times.
SETTLE_S = 2.5


def test_a_paused_queue_keeps_its_messages_until_resumed(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = wakeup_broker(redis_server.url, heartbeat_timeout=2000)
    controls = OperatorControls(redis_client)
    with running_worker(broker) as ran:
        controls.pause(QUEUE, ROOT)
        time.sleep(1.5)  # the worker's view of the controls is at most a second old
        for _ in range(3):
            send(broker)
        time.sleep(SETTLE_S)
        assert ran == []
        assert redis_client.llen(f"dramatiq:{QUEUE}") == 3
        # Held back, the consumers still heartbeat: the worker is not taken for dead.
        beat = redis_client.zscore("dramatiq:__heartbeats__", broker.broker_id)
        assert beat is not None and time.time() * 1000 - beat < 2000
        controls.resume(QUEUE, ROOT)
        wait_until(lambda: len(ran) == 3, timeout=15, what="the messages to run after resume")
    actions = controls.recent_actions(10)
    assert [(a.action, a.target, a.handle) for a in actions] == [
        ("resume", QUEUE, "root"),
        ("pause", QUEUE, "root"),
    ]
    assert all(a.x_user_id == "1001" and a.at for a in actions)


def test_delayed_messages_of_a_paused_queue_wait_in_the_queue_when_due(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = wakeup_broker(redis_server.url)
    controls = OperatorControls(redis_client)
    with running_worker(broker) as ran:
        controls.pause(QUEUE, ROOT)
        time.sleep(1.5)
        send(broker, delay=300)
        wait_until(
            lambda: redis_client.llen(f"dramatiq:{QUEUE}") == 1,
            timeout=10,
            what="the due message to move to its paused queue",
        )
        time.sleep(SETTLE_S)
        assert ran == []
        controls.resume(QUEUE, ROOT)
        wait_until(lambda: len(ran) == 1, timeout=15, what="the message to run after resume")


def test_a_consumer_gives_back_what_it_fetched_but_did_not_hand_on(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = wakeup_broker(redis_server.url)
    broker.hold_back = HoldBack(redis_client, refresh_s=0)
    broker.declare_queue(QUEUE)
    consumer = broker.consume(QUEUE, prefetch=5, timeout=20)
    for _ in range(3):
        send(broker)
    assert next(consumer) is not None  # fetched three, handed on one
    OperatorControls(redis_client).pause(QUEUE, ROOT)
    assert next(consumer) is None
    assert redis_client.llen(f"dramatiq:{QUEUE}") == 2
    acks = f"dramatiq:__acks__.{broker.broker_id}.{QUEUE}"
    assert redis_client.scard(acks) == 1  # only the one handed on is still this worker's


def test_a_quiet_process_takes_nothing_and_another_takes_its_work(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    quiet_broker = wakeup_broker(redis_server.url)
    quiet_broker.hold_back = HoldBack(redis_client, worker="host-a:1", refresh_s=0.2)
    redis_client.hset(worker_key("host-a:1"), "name", "host-a:1")
    assert OperatorControls(redis_client).quiet("host-a:1", ROOT)
    assert redis_client.ttl(quiet_key("host-a:1")) > 0  # it ends with the process's record
    with running_worker(quiet_broker) as ran_quiet:
        time.sleep(1.0)
        sent = [send(quiet_broker) for _ in range(3)]
        time.sleep(SETTLE_S)
        assert ran_quiet == []
        other = wakeup_broker(redis_server.url)
        with running_worker(other) as ran_other:
            wait_until(lambda: len(ran_other) == 3, timeout=15, what="the other worker to run")
        assert ran_quiet == [] and len(sent) == 3


def test_quiet_needs_a_live_worker_and_the_audit_list_is_capped(
    redis_client: redis.Redis,
) -> None:
    controls = OperatorControls(redis_client)
    assert not controls.quiet("gone:42", ROOT)
    assert not redis_client.exists(quiet_key("gone:42"))
    for _ in range(AUDIT_LENGTH + 5):
        controls.pause("tweets", ROOT)
    assert redis_client.llen("tweetnow:operator_actions") == AUDIT_LENGTH
    assert controls.paused_queues() == {"tweets"}
