"""Contracts through Dramatiq's StubBroker: payloads are validated, poison is dead-lettered
at once with its reason, and job status follows every attempt (in a real Redis)."""

from __future__ import annotations

import dramatiq
import msgspec
import pytest
import redis
from dramatiq.brokers.stub import StubBroker

from tweetnow.shared.broker import project_middleware
from tweetnow.shared.contracts import Contract, PermanentFailure, RetryPolicy, consumes, send
from tweetnow.shared.jobs import (
    JobStatusStore,
    final_failure,
    give_attempt_back,
    is_last_attempt,
)
from tweetnow.shared.messages import POST_TWEET, SEND_MAIL, retry_policy
from tweetnow.shared.settings import Settings


class Greeting(msgspec.Struct, frozen=True):
    name: str
    times: int = 1


GREET = Contract(
    actor_name="greet",
    queue="greetings",
    payload=Greeting,
    version=2,
)
#: The consumer's side: how its jobs retry.
GREET_RETRY = RetryPolicy(max_retries=2, min_backoff_ms=10, max_backoff_ms=20)


@pytest.fixture
def store(redis_client: redis.Redis) -> JobStatusStore:
    return JobStatusStore(redis_client, ttl_s=60)


@pytest.fixture
def broker(store: JobStatusStore):
    broker = StubBroker(middleware=project_middleware(store))
    broker.emit_after("process_boot")
    dramatiq.set_broker(broker)
    yield broker
    broker.flush_all()
    broker.close()


@pytest.fixture
def worker(broker):
    worker = dramatiq.Worker(broker, worker_timeout=10)
    worker.start()
    yield worker
    worker.stop()


def test_valid_payload_reaches_the_function_typed(broker, worker, store):
    seen: list[Greeting] = []

    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        seen.append(payload)

    message = send(broker, GREET, Greeting(name="ada"), owner_id=7, request_id="req-1")
    broker.join(GREET.queue)
    worker.join()
    assert seen == [Greeting(name="ada", times=1)]
    record = store.get(message.message_id)
    assert record is not None
    assert (record.status, record.attempts, record.owner_id) == ("succeeded", 1, "7")
    assert record.request_id == "req-1"
    assert message.options["contract_version"] == 2


def test_unknown_fields_are_ignored_for_additive_evolution(broker, worker):
    seen: list[Greeting] = []

    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        seen.append(payload)

    newer = GREET.message(Greeting(name="x")).copy(kwargs={"name": "x", "added_in_v3": True})
    broker.enqueue(newer)
    broker.join(GREET.queue)
    worker.join()
    assert seen == [Greeting(name="x")]


@pytest.mark.parametrize(
    ("args", "kwargs", "reason"),
    [
        ((), {"times": 2}, "missing required field `name`"),
        ((), {"name": 5}, "Expected `str`, got `int` - at `$.name`"),
        (("positional",), {"name": "x"}, "keyword fields only"),
    ],
)
def test_poison_is_dead_lettered_at_once_with_its_reason(
    broker, worker, store, args, kwargs, reason
):
    calls: list[object] = []

    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        calls.append(payload)

    message = dramatiq.Message(
        queue_name=GREET.queue, actor_name=GREET.actor_name, args=args, kwargs=kwargs, options={}
    )
    broker.enqueue(message)
    broker.join(GREET.queue, fail_fast=False)
    worker.join()
    assert calls == []
    assert [m.message_id for m in broker.dead_letters] == [message.message_id]
    record = store.get(message.message_id)
    assert record.status == "failed"
    assert record.attempts == 1  # never retried
    assert reason in record.error


def test_transient_errors_retry_then_succeed_and_each_attempt_is_kept(broker, worker, store):
    attempts: list[int] = []

    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError(f"flaky {len(attempts)}")

    message = send(broker, GREET, Greeting(name="ada"))
    broker.join(GREET.queue, fail_fast=False)
    worker.join()
    record = store.get(message.message_id)
    assert record.status == "succeeded"
    assert record.attempts == 3
    history = store.attempts(message.message_id)
    assert [(a.outcome, a.error) for a in history] == [
        ("retrying", "flaky 1"),
        ("retrying", "flaky 2"),
        ("succeeded", None),
    ]


def test_retries_run_out_and_the_job_fails(broker, worker, store):
    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        raise ConnectionError("still down")

    message = send(broker, GREET, Greeting(name="ada"))
    broker.join(GREET.queue, fail_fast=False)
    worker.join()
    record = store.get(message.message_id)
    assert (record.status, record.attempts, record.error) == ("failed", 3, "still down")
    assert record.finished_at is not None
    assert len(broker.dead_letters) == 1


def test_permanent_failure_is_never_retried(broker, worker, store):
    @consumes(GREET, broker=broker, retry=GREET_RETRY)
    def greet(payload: Greeting) -> None:
        raise PermanentFailure("X refused the tweet: too long")

    message = send(broker, GREET, Greeting(name="ada"))
    broker.join(GREET.queue, fail_fast=False)
    worker.join()
    record = store.get(message.message_id)
    assert (record.status, record.attempts) == ("failed", 1)
    assert record.error == "X refused the tweet: too long"


def test_a_delayed_job_is_scheduled_until_it_runs(broker, store):
    broker.declare_queue(GREET.queue)
    message = send(broker, GREET, Greeting(name="later"), delay_ms=60_000)
    record = store.get(message.message_id)
    assert record.status == "scheduled"
    assert record.next_attempt_at is not None


def test_retry_policies_come_from_the_settings_a_consumer_starts_with():
    settings = Settings.from_env({"TWEET_MAX_RETRIES": "3", "MAIL_MIN_BACKOFF_MS": "250"})
    assert retry_policy(POST_TWEET, settings).max_retries == 3
    assert retry_policy(SEND_MAIL, settings).min_backoff_ms == 250
    with pytest.raises(LookupError):
        retry_policy(GREET, settings)


def test_the_last_attempt_is_the_one_retries_gives_up_after():
    message = GREET.message(Greeting(name="ada")).copy(options={"retries": 2})
    assert is_last_attempt(message, GREET_RETRY.max_retries)
    assert not is_last_attempt(message, 3)
    assert not is_last_attempt(None, 0)
    give_attempt_back(message, GREET_RETRY.max_retries)  # e.g. a wait for X's rate limit
    assert not is_last_attempt(message, GREET_RETRY.max_retries)


def test_a_failure_ends_the_work_when_permanent_or_on_the_last_attempt():
    assert final_failure("too long", permanent=True, last_attempt=False, attempts=1) == "too long"
    assert final_failure("X is down", permanent=False, last_attempt=False, attempts=2) is None
    assert (
        final_failure("X is down", permanent=False, last_attempt=True, attempts=9)
        == "gave up after 9 attempts: X is down"
    )


def test_an_actor_declaring_an_option_of_middleware_we_do_not_install_fails_at_import() -> None:
    """Callbacks, Pipelines and ShutdownNotifications are not on our brokers: an actor
    that relied on one of their options fails when declared, not silently at run time."""
    broker = StubBroker(middleware=project_middleware(JobStatusStore(redis.Redis(), ttl_s=60)))
    with pytest.raises(ValueError, match="on_success"):
        dramatiq.actor(lambda: None, broker=broker, actor_name="with_callback", on_success="x")
