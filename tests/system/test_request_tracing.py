"""One request id, followed through the JSON logs from the web request to every attempt."""

from __future__ import annotations

import json
import time
import uuid

from tests.support.local_stack import LocalStack
from tests.support.stack import Stack


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def test_one_request_id_from_the_web_to_both_attempts(stack: Stack, local: LocalStack):
    frank = stack.sign_in()
    request_id = f"trace-{uuid.uuid4().hex}"
    stack.set_faults(next_errors=[503])
    r = frank.api().post(
        frank.url("/api/tweets"),
        json={"text": f"traced {request_id}"},
        headers={"X-Request-ID": request_id},
        timeout=10,
    )
    assert r.status_code == 202 and r.headers["X-Request-ID"] == request_id
    job_id = r.json()["job"]["id"]
    assert frank.wait_job(job_id)["status"] == "succeeded"

    web = [e for e in json_lines(local.web.log_text()) if e.get("request_id") == request_id]
    assert any(
        e["event"] == "request" and e["path"] == "/api/tweets" and e["status"] == 202 for e in web
    ), web

    deadline = time.monotonic() + 15
    while True:  # the last line of an attempt is written just after its status
        lines = [
            e
            for proc in local.tweeters
            for e in json_lines(proc.log_text())
            if e.get("request_id") == request_id
        ]
        ended = {e.get("attempt") for e in lines if e["event"] == "job_succeeded"}
        if 2 in ended or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert {e.get("job_id") for e in lines} == {job_id}, lines
    by_attempt = {n: {e["event"] for e in lines if e.get("attempt") == n} for n in (1, 2)}
    assert {"job_started", "tweet_posting", "job_will_retry"} <= by_attempt[1], by_attempt
    assert {"job_started", "tweet_posting", "tweet_sent", "job_succeeded"} <= by_attempt[2], (
        by_attempt
    )
