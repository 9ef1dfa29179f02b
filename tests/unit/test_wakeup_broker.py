"""The wake-up consumer against a real Redis: idle workers answer at once without polling,
and everything Dramatiq's polling used to do (plain producers, delays, heartbeats,
maintenance) still happens."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from tests.support.noop_worker import QUEUE, running_worker, send, wakeup_broker
from tests.support.processes import RedisServer, wait_until
from tweetnow.shared.broker import build_broker
from tweetnow.shared.settings import Settings
from tweetnow.shared.wakeup import WakeupRedisBroker


def test_the_setting_selects_the_broker(redis_server: RedisServer) -> None:
    env = {"REDIS_URL": redis_server.url}
    assert type(build_broker(Settings.from_env(env))) is WakeupRedisBroker
    off = build_broker(Settings.from_env({**env, "WORKER_WAKEUP": "off"}))
    assert type(off) is RedisBroker
    with pytest.raises(ValueError, match="WORKER_WAKEUP must be on or off"):
        Settings.from_env({"WORKER_WAKEUP": "maybe"})


def test_the_block_stays_well_under_the_heartbeat_timeout(redis_server: RedisServer) -> None:
    assert wakeup_broker(redis_server.url).wakeup_block_s == 1.0
    assert wakeup_broker(redis_server.url, heartbeat_timeout=3000).wakeup_block_s == 0.75


def test_an_idle_consumer_is_woken_by_the_enqueue(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    """The consumer blocks 5 s at most: a pickup far sooner can only come from the wake-up."""
    broker = wakeup_broker(redis_server.url, wakeup_block_ms=5000)
    broker.declare_queue(QUEUE)
    consumer = broker.consume(QUEUE, prefetch=2, timeout=20)
    got: list[float] = []

    def consume() -> None:
        while not got:
            if next(consumer) is not None:
                got.append(time.time())

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    time.sleep(0.3)  # the consumer is now blocked on the wake-up list
    sent_at = send(broker)
    thread.join(timeout=3)
    assert got, "the message was not picked up"
    # Far sooner than the 5 s block: the wake-up ended it, not the timeout.
    assert got[0] - sent_at < 2.5
    assert redis_client.llen(f"dramatiq:{QUEUE}.wake") == 0  # the consumer took the token


def test_wake_up_lists_stay_short(redis_client: redis.Redis, redis_server: RedisServer) -> None:
    broker = wakeup_broker(redis_server.url)
    for _ in range(100):
        send(broker)
    assert redis_client.llen(f"dramatiq:{QUEUE}.wake") == 64


def test_a_plain_dramatiq_producer_is_picked_up_when_the_block_ends(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = wakeup_broker(redis_server.url, wakeup_block_ms=400)
    plain = RedisBroker(url=redis_server.url, middleware=[])
    with running_worker(broker) as ran:
        time.sleep(0.5)
        sent_at = send(plain)
        assert not redis_client.exists(f"dramatiq:{QUEUE}.wake")
        wait_until(lambda: bool(ran), timeout=3, what="the plain message to run")
    assert ran[0] - sent_at < 0.4 + 1.5


def test_delayed_messages_run_on_time(redis_server: RedisServer) -> None:
    """Blocks of 5 s: the delayed message still moves to its queue when due, not 5 s later."""
    broker = wakeup_broker(redis_server.url, wakeup_block_ms=5000)
    with running_worker(broker) as ran:
        time.sleep(0.3)
        sent_at = send(broker, delay=800)
        wait_until(lambda: bool(ran), timeout=8, what="the delayed message to run")
    # Not early, and far sooner than the 5 s block would allow.
    assert 0.8 <= ran[0] - sent_at < 0.8 + 2.5


def test_an_idle_worker_keeps_its_heartbeat_and_costs_little(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = wakeup_broker(redis_server.url, heartbeat_timeout=2000)  # blocks of 0.5 s
    with running_worker(broker):
        time.sleep(1.0)
        before = redis_client.info("stats")["total_commands_processed"]
        time.sleep(3.0)
        after = redis_client.info("stats")["total_commands_processed"]
        beat = redis_client.zscore("dramatiq:__heartbeats__", broker.broker_id)
        assert beat is not None
        assert time.time() * 1000 - beat < 2000  # fresher than the heartbeat timeout
    # Two consumers (queue and delay queue), each a fetch script and a BLPOP per
    # block; Dramatiq at a 20 ms poll costs hundreds of commands a second.
    assert (after - before - 1) / 3.0 < 40


def test_maintenance_still_requeues_a_dead_workers_message(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    """A SIGKILLed worker's message comes back through the idle consumers' fetch calls."""
    dead = wakeup_broker(redis_server.url)
    send(dead)
    dead.do_fetch(QUEUE, 1)  # now in the dead worker's ack set, off the queue
    redis_client.zadd("dramatiq:__heartbeats__", {dead.broker_id: 1})  # long silent
    assert redis_client.llen(f"dramatiq:{QUEUE}") == 0

    # No random maintenance at all: it is due by time on an idle consumer's fetch.
    broker = wakeup_broker(redis_server.url, heartbeat_timeout=2000, maintenance_chance=0)
    with running_worker(broker) as ran:
        wait_until(lambda: bool(ran), timeout=5, what="the dead worker's message to run")
    assert not redis_client.exists(f"dramatiq:__acks__.{dead.broker_id}.{QUEUE}")


def test_a_full_consumer_fetches_again_once_acks_free_half_its_prefetch(
    redis_server: RedisServer,
) -> None:
    """A consumer holding its whole prefetch waits for acks, not for a sleep: with a
    20 s worker timeout and 15 s blocks, only the acks can end its wait within
    seconds. One ack is not enough room; the second, freeing half of the four, is."""
    broker = wakeup_broker(redis_server.url, wakeup_block_ms=15_000)
    broker.declare_queue(QUEUE)
    for _ in range(8):
        send(broker)
    consumer = broker.consume(QUEUE, prefetch=4, timeout=20_000)
    held = [next(consumer) for _ in range(4)]
    assert all(m is not None for m in held)

    waited: list[float] = []

    def wait_once() -> None:
        started = time.monotonic()
        assert next(consumer) is None  # full: it waits, then gives Dramatiq's loop a turn
        waited.append(time.monotonic() - started)

    thread = threading.Thread(target=wait_once, daemon=True)
    thread.start()
    consumer.ack(held[0])
    time.sleep(0.5)
    assert not waited, "one ack of four ended the wait: that is a fetch per job"
    consumer.ack(held[1])
    thread.join(timeout=5)
    assert waited and waited[0] < 5
    # And the next call fetches the two it has room for.
    assert next(consumer) is not None and next(consumer) is not None
    assert consumer.outstanding_message_count == 4
