"""One request id, followed through the JSON logs from the web request to every attempt.

At INFO (the default) a job that went well writes no line of the job path: the
lines that say a job needs a look (``job_will_retry``, ``job_failed``) carry the
request id. At DEBUG every attempt also says when it started and that it
succeeded, and the id follows the work through all of them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.support.local_stack import LocalStack
from tests.support.processes import Process
from tests.support.stack import Person, Stack


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def lines_of(tweeters: list[Process], request_id: str) -> list[dict]:
    return [
        e
        for proc in tweeters
        for e in json_lines(proc.log_text())
        if e.get("request_id") == request_id
    ]


def post_failing_once(stack: Stack, person: Person) -> tuple[str, str]:
    """A tweet whose first attempt meets X's 503 and whose second is sent: (request id, job id)."""
    request_id = f"trace-{uuid.uuid4().hex}"
    stack.set_faults(next_errors=[503])
    r = person.api().post(
        person.url("/api/tweets"),
        json={"text": f"traced {request_id}"},
        headers={"X-Request-ID": request_id},
        timeout=10,
    )
    assert r.status_code == 202 and r.headers["X-Request-ID"] == request_id
    job_id = r.json()["job"]["id"]
    assert person.wait_job(job_id)["status"] == "succeeded"
    return request_id, job_id


def wait_for_line(tweeters: list[Process], request_id: str, event: str, attempt: int) -> list[dict]:
    """The attempt's last line is written just after its status: wait for it a moment."""
    deadline = time.monotonic() + 15
    while True:
        lines = lines_of(tweeters, request_id)
        if any(e["event"] == event and e.get("attempt") == attempt for e in lines):
            return lines
        if time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def by_attempt(lines: list[dict]) -> dict[int, set[str]]:
    return {n: {e["event"] for e in lines if e.get("attempt") == n} for n in (1, 2)}


@pytest.fixture
def debug_tweeter(local: LocalStack) -> Iterator[Process]:
    """The only running tweeter, at LOG_LEVEL=DEBUG; the stack's INFO tweeters come back after."""
    before = sum(p.alive() for p in local.tweeters)
    for proc in local.tweeters:
        if proc.alive():
            proc.shut_down()
    tweeter = local.start_tweeter(LOG_LEVEL="DEBUG")
    try:
        yield tweeter
    finally:
        tweeter.shut_down()
        for _ in range(max(before, 1)):
            local.start_tweeter()


def test_at_info_the_retry_line_carries_the_request_id_and_a_sent_tweet_writes_one_line(
    stack: Stack, local: LocalStack
):
    frank = stack.sign_in()
    request_id, job_id = post_failing_once(stack, frank)

    web = [e for e in json_lines(local.web.log_text()) if e.get("request_id") == request_id]
    # One line for the accepted tweet: the request's, with the tweet's and the job's ids.
    assert [(e["event"], e["path"], e["status"], e["job_id"]) for e in web] == [
        ("request", "/api/tweets", 202, job_id)
    ], web
    assert isinstance(web[0]["tweet_id"], int), web

    lines = wait_for_line(local.tweeters, request_id, "tweet_sent", 2)
    assert {e.get("job_id") for e in lines} == {job_id}, lines
    retry = [e for e in lines if e["event"] == "job_will_retry"]
    assert len(retry) == 1 and retry[0]["attempt"] == 1 and retry[0]["level"] == "warning", lines
    assert "Service Unavailable" in retry[0]["error"], retry
    attempts = by_attempt(lines)
    assert "job_will_retry" in attempts[1], attempts
    # Nothing at INFO for what went as it should: no line of the job path, none for the
    # post on its way; the attempt that sent the tweet writes one line, its result.
    assert not {"job_started", "job_succeeded", "tweet_posting"} & attempts[1], attempts
    assert attempts[2] == {"tweet_sent"}, attempts


def test_at_debug_one_request_id_from_the_web_to_both_attempts(
    stack: Stack, local: LocalStack, debug_tweeter: Process
):
    frank = stack.sign_in()
    request_id, job_id = post_failing_once(stack, frank)

    lines = wait_for_line([debug_tweeter], request_id, "job_succeeded", 2)
    assert {e.get("job_id") for e in lines} == {job_id}, lines
    attempts = by_attempt(lines)
    assert {"job_started", "tweet_posting", "job_will_retry"} <= attempts[1], attempts
    assert {"job_started", "tweet_posting", "tweet_sent", "job_succeeded"} <= attempts[2], attempts
    started = [e for e in lines if e["event"] == "job_started"]
    succeeded = [e for e in lines if e["event"] == "job_succeeded"]
    assert all(e["level"] == "debug" and e["queue"] == "tweets" for e in started), started
    assert succeeded[0]["level"] == "debug" and succeeded[0]["duration_ms"] >= 0, succeeded
