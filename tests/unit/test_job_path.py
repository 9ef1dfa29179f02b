"""A job's way through a worker on a real Redis, with the project's broker and middleware:
its status and its worker's record of what it runs are written together, and how the
attempt ended goes with Dramatiq's ack (or nack), in one script."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
import dramatiq.worker
import pytest
import redis
from dramatiq import Worker
from dramatiq.brokers.redis import RedisBroker

from tests.support.processes import RedisServer, wait_until
from tweetnow.shared.broker import build_broker, job_store
from tweetnow.shared.jobs import WORKER_NAME, JobState, total_key
from tweetnow.shared.script_chain import PartAnswer
from tweetnow.shared.settings import Settings
from tweetnow.shared.wakeup import WakeupRedisBroker
from tweetnow.shared.worker_registry import running_key, runs_now

QUEUE = "jobpath"


@contextmanager
def worker_running(
    broker: RedisBroker, body: Callable[[], None], *, max_retries: int = 0
) -> Iterator[dramatiq.Actor[Any, Any]]:
    """A real Dramatiq worker (one thread) whose one actor runs ``body``."""

    def job() -> None:
        body()

    actor = dramatiq.actor(
        job, actor_name="job", queue_name=QUEUE, broker=broker, max_retries=max_retries
    )
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        yield actor
    finally:
        worker.stop()
        broker.close()


def project_broker(url: str, **env: str) -> RedisBroker:
    return build_broker(Settings.from_env({"REDIS_URL": url, **env}), patient=True)


def settled(client: redis.Redis) -> bool:
    """Dramatiq acked or nacked the message: no worker holds it, nothing waits."""
    holding = [k for k in client.scan_iter("dramatiq:__acks__.*") if client.scard(k)]
    return not holding and not client.hlen(f"dramatiq:{QUEUE}.msgs")


def test_running_names_the_worker_and_its_record_until_the_outcome(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = project_broker(redis_server.url)
    store = job_store(broker)
    inside, release = threading.Event(), threading.Event()

    def body() -> None:
        inside.set()
        release.wait(10)

    with worker_running(broker, body) as actor:
        job_id = actor.send().message_id
        assert inside.wait(10)
        # The start is sent by the process's batch writer, a moment after the job began.
        wait_until(
            lambda: (r := store.get(job_id)) is not None and r.status == "running",
            timeout=5,
            what="running",
        )
        record = store.get(job_id)
        assert record is not None and record.attempts == 1
        assert record.worker == WORKER_NAME
        assert redis_client.hexists(running_key(WORKER_NAME), job_id)
        assert runs_now(redis_client, record.worker, job_id)
        release.set()
        wait_until(lambda: settled(redis_client), timeout=10, what="the ack")
        record = store.get(job_id)
        assert record is not None and record.status == "succeeded" and record.finished_at
        assert [a.outcome for a in store.attempts(job_id)] == ["succeeded"]
        assert not redis_client.hexists(running_key(WORKER_NAME), job_id)
        assert not runs_now(redis_client, record.worker, job_id)


def test_a_last_failure_is_recorded_with_the_nack_and_dead_lettered(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = project_broker(redis_server.url)
    store = job_store(broker)

    def body() -> None:
        raise RuntimeError("X said no")

    with worker_running(broker, body) as actor:
        message = actor.send()
        wait_until(lambda: settled(redis_client), timeout=10, what="the nack")
    record = store.get(message.message_id)
    assert record is not None and record.status == "failed" and record.error == "X said no"
    assert redis_client.zcard(f"dramatiq:{QUEUE}.XQ") == 1
    assert not redis_client.hexists(running_key(WORKER_NAME), message.message_id)


def watch_commands(url: str) -> tuple[list[str], Callable[[], None]]:
    """The commands clients send to Redis (not those scripts run), until ``stop()``."""
    seen: list[str] = []
    watching = threading.Event()

    def watch() -> None:
        with redis.Redis.from_url(url).monitor() as monitor:
            watching.set()
            for command in monitor.listen():
                if command.get("client_type") != "lua":  # not a command a script ran
                    seen.append(command["command"])
                if "QUIT-WATCH" in command["command"]:
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert watching.wait(5)

    def stop() -> None:
        redis.Redis.from_url(url).echo("QUIT-WATCH")
        watcher.join(5)
        assert not watcher.is_alive()

    return seen, stop


def test_a_short_jobs_start_outcome_and_ack_are_one_script(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = project_broker(redis_server.url)
    seen, stop = watch_commands(redis_server.url)
    with worker_running(broker, lambda: None) as actor:
        job_id = actor.send().message_id
        wait_until(lambda: settled(redis_client), timeout=10, what="the ack")
    stop()

    finish = [c for c in seen if c.startswith("EVALSHA") and " succeeded " in c]
    # Sent again, once, if Redis had not seen the combined script yet (NOSCRIPT, then LOAD).
    assert len(set(finish)) == 1, finish
    # The start write, the outcome and Dramatiq's ack travel as one command.
    assert job_id in finish[0] and " ack " in finish[0] and '"started_at"' in finish[0], finish[0]
    transactions = " ".join(seen).split("MULTI")[1:]  # the worker registry's own, only
    assert not [t for t in transactions if job_id in t.split("EXEC")[0]], transactions
    # The job ended within the hold: its start never went out on its own.
    assert [c for c in seen if '"started_at"' in c] == finish
    # The running entry came and went inside the status scripts: no HSET or HDEL of its own.
    assert not [c for c in seen if c.startswith(("HDEL", "HSET")) and ":running" in c]
    assert job_store(broker).get(job_id).status == "succeeded"  # type: ignore[union-attr]


def test_a_longer_job_shows_running_once_the_hold_is_over(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    broker = project_broker(redis_server.url)
    store = job_store(broker)
    statuses: list[str | None] = []
    release = threading.Event()
    with worker_running(broker, lambda: release.wait(10)) as actor:
        job_id = actor.send().message_id
        wait_until(
            lambda: (r := store.get(job_id)) is not None and r.status == "running",
            timeout=5,
            what="running",
        )
        statuses.append(store.get(job_id).status)  # type: ignore[union-attr]
        release.set()
        wait_until(lambda: settled(redis_client), timeout=10, what="the ack")
    record = store.get(job_id)
    assert record is not None and record.status == "succeeded"
    assert [a.outcome for a in store.attempts(job_id)] == ["succeeded"]
    assert statuses == ["running"]


def test_a_lost_script_cache_still_records_the_outcome_and_acks(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    """Redis restarted between the start and the ack forgets the scripts: the ack's EVALSHA
    finds no script, and it is sent again with the script's text."""
    broker = project_broker(redis_server.url)
    store = job_store(broker)
    with worker_running(broker, lambda: redis_client.script_flush()) as actor:
        job_id = actor.send().message_id
        wait_until(lambda: settled(redis_client), timeout=10, what="the ack")
        wait_until(
            lambda: (r := store.get(job_id)) is not None and r.status == "succeeded",
            timeout=5,
            what="the outcome",
        )
    assert not redis_client.hexists(running_key(WORKER_NAME), job_id)


@pytest.mark.parametrize("wakeup", ["on", "off"])
def test_a_retry_is_recorded_on_either_broker(
    redis_client: redis.Redis, redis_server: RedisServer, wakeup: str
) -> None:
    """Dramatiq's own consumer (``WORKER_WAKEUP=off``) has no ack to carry the outcome:
    it is written at once instead."""
    broker = project_broker(redis_server.url, WORKER_WAKEUP=wakeup)
    store = job_store(broker)
    calls: list[int] = []

    def body() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first time")

    with worker_running(broker, body, max_retries=1) as actor:
        actor.options["min_backoff"] = actor.options["max_backoff"] = 10
        job_id = actor.send().message_id
        wait_until(
            lambda: (r := store.get(job_id)) is not None and r.status == "succeeded",
            timeout=20,
            what="the retry to succeed",
        )
    assert [a.outcome for a in store.attempts(job_id)] == ["retrying", "succeeded"]
    assert [a.error for a in store.attempts(job_id)] == ["first time", None]
    assert not redis_client.hexists(running_key(WORKER_NAME), job_id)


def test_a_start_write_has_left_and_been_answered_or_is_handed_to_the_ack(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    """What the ack relies on: ``take`` gives back a start write that has not left, and
    otherwise returns only once Redis has it — never while it is on its way."""
    store = project_broker(redis_server.url)
    writer = store.start_writes  # type: ignore[attr-defined]  # a WakeupRedisBroker's
    jobs = job_store(store)
    handed_back = 0
    for n in range(300):
        job_id = f"start-{n}"
        writer.add(n, jobs.start_call(job_id))
        if n % 10 == 0:
            time.sleep(writer.hold_s + 0.02)  # the writer sends it once its hold is over
        call = writer.take(n)
        if call is None:
            assert redis_client.hget(f"tweetnow:job:{job_id}", "status") == b"running"
        else:
            handed_back += 1
            assert not redis_client.exists(f"tweetnow:job:{job_id}")
    assert writer.take(10_000) is None  # nothing was ever added under it
    # Both ways happened: some writes were caught before they left, some had been sent.
    assert 0 < handed_back < 300


def test_a_start_or_outcome_write_sent_again_changes_nothing(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    """A write Redis ran but whose answer was lost is sent again as it was (the start
    writer's batch, the ack's script): the attempt is counted, recorded and closed once."""
    store = job_store(project_broker(redis_server.url))
    start = store.start_call("twice")
    start.run()
    start.run()
    finish = store.finish_call("twice", JobState.RETRYING, error="X is down (503)")
    finish.run()
    finish.run()
    record = store.get("twice")
    assert record is not None and record.attempts == 1 and record.status == "retrying"
    assert [a.outcome for a in store.attempts("twice")] == ["retrying"]
    assert redis_client.get(total_key(JobState.RETRYING)) == b"1"
    # The next attempt's writes are writes of their own.
    store.start_call("twice").run()
    store.finish_call("twice", JobState.SUCCEEDED).run()
    record = store.get("twice")
    assert record is not None and record.attempts == 2 and record.status == "succeeded"
    assert [a.number for a in store.attempts("twice")] == [1, 2]
    assert redis_client.get(total_key(JobState.SUCCEEDED)) == b"1"


def test_an_ack_sent_again_after_its_answer_was_lost_counts_the_attempt_once(
    redis_client: redis.Redis, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis runs the ack's script (start, outcome and Dramatiq's ack) but the answer does
    not come back: Dramatiq takes it for a lost connection and sends the ack again, with
    the same writes."""
    monkeypatch.setattr(dramatiq.worker, "POST_PROCESS_MESSAGE_RETRY_DELAY_SECS", 0.1)
    broker = project_broker(redis_server.url)
    assert isinstance(broker, WakeupRedisBroker)
    store = job_store(broker)
    send = broker.settles.run
    sent: list[int] = []

    def answer_lost_the_first_time(calls: list[Any]) -> list[PartAnswer]:
        answers = send(calls)
        sent.append(len(calls))
        if len(sent) == 1:
            raise redis.ConnectionError("the connection closed before the answer came")
        return answers

    monkeypatch.setattr(broker.settles, "run", answer_lost_the_first_time)
    with worker_running(broker, lambda: None) as actor:
        job_id = actor.send().message_id
        wait_until(lambda: len(sent) == 2, timeout=10, what="the ack sent again")
        assert settled(redis_client)
    assert sent[0] == sent[1] == 3  # the start, the outcome and the ack, both times
    record = store.get(job_id)
    assert record is not None and record.status == "succeeded" and record.attempts == 1
    assert [a.outcome for a in store.attempts(job_id)] == ["succeeded"]
    assert redis_client.get(total_key(JobState.SUCCEEDED)) == b"1"
    assert not redis_client.hexists(running_key(WORKER_NAME), job_id)
