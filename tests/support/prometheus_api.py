"""Reading a running Prometheus over its HTTP API: targets and instant queries."""

from __future__ import annotations

import time

import requests


def query(prometheus: str, expr: str) -> list[dict]:
    """The instant vector (or scalar) ``expr`` evaluates to now."""
    r = requests.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    assert r.status_code == 200, (expr, r.status_code, r.text[:300])
    body = r.json()
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def active_targets(prometheus: str) -> list[dict]:
    r = requests.get(f"{prometheus}/api/v1/targets", params={"state": "active"}, timeout=10)
    r.raise_for_status()
    return r.json()["data"]["activeTargets"]


def up_instances(targets: list[dict]) -> dict[str, set[str]]:
    """The instances of each job whose last scrape succeeded."""
    up: dict[str, set[str]] = {}
    for target in targets:
        if target["health"] == "up":
            up.setdefault(target["labels"]["job"], set()).add(target["labels"]["instance"])
    return up


def wait_targets_up(prometheus: str, wanted: dict[str, int], timeout: float) -> list[dict]:
    """Wait until each job has exactly ``wanted[job]`` instances up; the active targets then."""
    deadline = time.monotonic() + timeout
    while True:
        targets = active_targets(prometheus)
        up = up_instances(targets)
        if all(len(up.get(job, ())) == n for job, n in wanted.items()):
            return targets
        assert time.monotonic() < deadline, (wanted, targets)
        time.sleep(2)
