"""Prometheus over the compose stack (profile ``monitoring``): every web, tweeter and
mailer container is a target of its own, and every query of the Grafana dashboard
returns data.

Only the ``prometheus`` service is started, by name: Grafana (same profile) is
never needed here. Tweets are posted the whole time, so that rates over the
last minute have something to count.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.support.compose_stack import TWEETERS, compose, wait_http_ok
from tests.support.prometheus_api import active_targets, query, up_instances, wait_targets_up
from tests.support.stack import Stack

MONITORING = Path(__file__).parents[2] / "deploy/monitoring"
DASHBOARD = MONITORING / "grafana/dashboards/tweetnow.json"
#: What Grafana puts for $__rate_interval with a 15 s scrape interval (four of them).
RATE_INTERVAL = "1m"
#: DNS is looked up again, and every target scraped, every 15 s.
TARGETS_TIMEOUT_S = 120
QUERIES_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def prometheus() -> Iterator[str]:
    compose("--profile", "monitoring", "up", "--detach", "--wait", "--no-deps", "prometheus")
    url = os.environ["TWEETNOW_TEST_PROMETHEUS_URL"].rstrip("/")
    wait_http_ok(f"{url}/-/ready")
    yield url
    compose("--profile", "monitoring", "stop", "prometheus")


@pytest.fixture(scope="module")
def traffic(stack: Stack) -> Iterator[None]:
    """Tweets posted and polled every second or so until the module ends."""
    people = [stack.sign_in() for _ in range(3)]
    for person in people:
        person.api()
    stop = threading.Event()
    run = uuid.uuid4().hex[:8]

    def post() -> None:
        i = 0
        while not stop.is_set():
            person = people[i % len(people)]
            try:
                r = person.post_tweet(f"monitoring {run} #{i}")
                if r.status_code == 202:
                    person.job(r.json()["job"]["id"])
            except requests.RequestException:
                pass
            i += 1
            stop.wait(0.7)

    thread = threading.Thread(target=post, name="monitoring-traffic", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def test_every_replica_is_a_target_and_up(prometheus: str):
    wanted = {"web": 1, "tweeter": TWEETERS, "mailer": 1}
    targets = wait_targets_up(prometheus, wanted, TARGETS_TIMEOUT_S)
    # Three tweeter containers, three addresses; nothing else is scraped, nothing is down.
    containers = compose("ps", "--quiet", "--status", "running", "tweeter").split()
    assert len(containers) == TWEETERS
    assert {job: len(found) for job, found in up_instances(targets).items()} == wanted
    assert all(target["health"] == "up" for target in targets), targets


def test_prometheus_runs_hardened_with_every_alert_rule_loaded(prometheus: str):
    (container,) = compose("ps", "--quiet", "prometheus").split()
    info = json.loads(
        subprocess.run(
            ["docker", "inspect", container], capture_output=True, text=True, check=True
        ).stdout
    )[0]
    host = info["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert info["State"]["Health"]["Status"] == "healthy"
    # Grafana, in the same profile, was neither started nor pulled.
    assert compose("--profile", "monitoring", "ps", "--all", "--quiet", "grafana").split() == []

    r = requests.get(f"{prometheus}/api/v1/rules", timeout=10)
    r.raise_for_status()
    loaded = [rule for group in r.json()["data"]["groups"] for rule in group["rules"]]
    declared = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    assert sorted(rule["name"] for rule in loaded) == sorted(
        rule["alert"] for group in declared for rule in group["rules"]
    )
    assert all(rule["health"] != "err" for rule in loaded), loaded


def test_every_queue_has_its_live_workers_and_the_worker_alerts_stay_quiet(prometheus: str):
    # One Dramatiq process per container: three tweeters consume tweets and periodic, the
    # mailer mail and webhooks.
    wanted = {"tweets": TWEETERS, "periodic": TWEETERS, "mail": 1, "webhooks": 1}
    deadline = time.monotonic() + TARGETS_TIMEOUT_S
    while True:
        found = {
            sample["metric"]["queue"]: float(sample["value"][1])
            for sample in query(prometheus, "max by (queue) (tweetnow_queue_workers)")
        }
        if found == wanted:
            break
        assert time.monotonic() < deadline, found
        time.sleep(2)
    # The rules that watch the workers see nothing wrong on this healthy stack.
    declared = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    for rule in (rule for group in declared for rule in group["rules"]):
        if rule["alert"] in ("QueueHasNoLiveWorker", "WorkerServiceNotScraped"):
            assert query(prometheus, rule["expr"]) == [], rule["expr"]


def test_web_metrics_answer_prometheus_and_no_one_else(prometheus: str, stack: Stack):
    # Prometheus reads the web's /metrics over the metrics network (the target is up)...
    deadline = time.monotonic() + TARGETS_TIMEOUT_S
    while not query(prometheus, 'up{job="web"} == 1'):
        assert time.monotonic() < deadline, active_targets(prometheus)
        time.sleep(2)
    # ...while a client through the published port is refused, as for any stranger...
    r = requests.get(f"{stack.web_url}/metrics", timeout=10)
    assert r.status_code == 404
    # ...and so is a container on the web's other networks (the sandbox: front and back).
    probe = (
        "import urllib.error, urllib.request\n"
        "try:\n"
        "    print(urllib.request.urlopen('http://web:8000/metrics', timeout=10).status)\n"
        "except urllib.error.HTTPError as e:\n"
        "    print(e.code)\n"
    )
    assert compose("exec", "-T", "x-sandbox", "python3", "-c", probe).strip() == "404"


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = [
        (panel["title"], target["expr"].replace("$__rate_interval", RATE_INTERVAL))
        for panel in dashboard["panels"]
        for target in panel["targets"]
    ]
    assert found and all("$" not in expr for _, expr in found), found
    return found


def has_data(result: list[dict]) -> bool:
    return any(not math.isnan(float(sample["value"][1])) for sample in result)


def test_every_dashboard_query_returns_data(prometheus: str, traffic: None):
    missing = dashboard_queries()
    deadline = time.monotonic() + QUERIES_TIMEOUT_S
    while True:
        missing = [
            (title, expr) for title, expr in missing if not has_data(query(prometheus, expr))
        ]
        if not missing:
            break
        assert time.monotonic() < deadline, f"no data for: {missing}"
        time.sleep(5)
