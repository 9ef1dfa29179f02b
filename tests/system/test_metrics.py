"""Every process serves Prometheus metrics with live values: the web at /metrics, workers on
their METRICS_PORT."""

from __future__ import annotations

import time
import uuid

import requests

from tests.support.local_stack import LocalStack
from tests.support.stack import Stack


def metric_families(text: str):
    # Imported here, not at collection: prometheus_client picks its value store
    # (in memory or multiprocess files) once, when first imported, and the
    # in-process web app of the unit tests needs the multiprocess one.
    from prometheus_client.parser import text_string_to_metric_families

    return text_string_to_metric_families(text)


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in metric_families(r.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def worker_url(proc) -> str:
    return f"http://127.0.0.1:{proc.env['METRICS_PORT']}/metrics"


def test_web_and_workers_serve_their_metrics(stack: Stack, local: LocalStack):
    erin = stack.sign_in()
    stack.set_faults(next_errors=[503])
    retried = erin.post_tweet(f"metrics retried {uuid.uuid4().hex[:8]}").json()["job"]["id"]
    assert erin.wait_job(retried)["status"] == "succeeded"
    stack.set_faults(next_errors=["duplicate"])
    failed = erin.post_tweet(f"metrics failed {uuid.uuid4().hex[:8]}").json()["job"]["id"]
    assert erin.wait_job(failed)["status"] == "failed"

    web = scrape(f"{stack.web_url}/metrics")
    posted = dict(method="POST", route="/api/tweets", status="202")
    assert value(web, "tweetnow_http_requests_total", **posted) >= 2
    assert value(web, "tweetnow_http_request_duration_seconds_count", **posted) >= 2
    polled = dict(method="GET", route="/api/jobs/{job_id}", status="200")
    assert value(web, "tweetnow_http_requests_total", **polled) >= 2  # the template, not the path

    # Job outcomes are counted once the attempt has ended; a scrape may come just before.
    tweets = dict(queue="tweets", actor="post_tweet")
    deadline = time.monotonic() + 15
    while True:
        tweeter = {}
        for proc in [p for p in local.tweeters if p.alive()]:  # some tests stop theirs
            for key, v in scrape(worker_url(proc)).items():
                tweeter[key] = tweeter.get(key, 0.0) + v
        if value(tweeter, "tweetnow_jobs_total", **tweets, outcome="failed") >= 1:
            break
        assert time.monotonic() < deadline, tweeter
        time.sleep(0.2)
    assert value(tweeter, "tweetnow_jobs_total", **tweets, outcome="succeeded") >= 1
    assert value(tweeter, "tweetnow_jobs_total", **tweets, outcome="retried") >= 1
    assert value(tweeter, "tweetnow_job_retries_total", **tweets) >= 1
    assert value(tweeter, "tweetnow_job_dead_letters_total", **tweets) >= 1
    assert value(tweeter, "tweetnow_job_duration_seconds_count", **tweets) >= 3
    assert ("tweetnow_jobs_in_progress", frozenset(tweets.items())) in tweeter
    for state in ("ready", "delayed", "dead"):
        assert (
            "tweetnow_queue_messages",
            frozenset({"queue": "tweets", "state": state}.items()),
        ) in tweeter
    assert value(tweeter, "tweetnow_queue_messages", queue="tweets", state="dead") >= 1
    assert ("tweetnow_queue_oldest_waiting_seconds", frozenset({"queue": "tweets"}.items())) in (
        tweeter
    )
    assert value(tweeter, "tweetnow_queue_workers", queue="tweets") >= 1
    assert value(tweeter, "tweetnow_queue_workers", queue="periodic") >= 1
    # X's answers by status: the injected 503, then the posts X took.
    assert value(tweeter, "tweetnow_x_responses_total", status="503") >= 1
    taken = [
        v
        for (name, labels), v in tweeter.items()
        if name == "tweetnow_x_responses_total" and dict(labels)["status"].startswith("2")
    ]
    assert sum(taken) >= 1
    # The sandbox reports each person's 15-minute window: its lowest is on every tweeter.
    assert ("tweetnow_x_quota_remaining", frozenset({"quota": "user"}.items())) in tweeter

    mailer = scrape(worker_url(next(p for p in local.mailers if p.alive())))
    assert (
        "tweetnow_queue_messages",
        frozenset({"queue": "mail", "state": "ready"}.items()),
    ) in mailer
    assert value(mailer, "tweetnow_queue_workers", queue="mail") >= 1


def test_web_metrics_go_by_the_socket_address(stack: Stack, local: LocalStack):
    # What a client writes in X-Forwarded-For neither opens nor closes /metrics.
    r = requests.get(
        f"{stack.web_url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    assert r.status_code == 200
