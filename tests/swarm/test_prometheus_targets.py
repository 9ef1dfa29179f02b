"""Prometheus on the Swarm stack, with deploy/monitoring/prometheus.swarm.yml: each
task is a target of its own (``tasks.<service>``), so three tweeter tasks are three
targets up."""

from __future__ import annotations

import os
import subprocess

import requests

from tests.support.prometheus_api import up_instances, wait_targets_up
from tests.support.stack import Stack

TWEETERS = 3  # what tests.support.swarm_stack deploys


def test_every_task_is_a_target_and_up(stack: Stack, stack_name: str):
    prometheus = f"http://localhost:{os.environ['TWEETNOW_TEST_PROMETHEUS_PORT']}"
    wanted = {"web": 1, "tweeter": TWEETERS, "mailer": 1}
    targets = wait_targets_up(prometheus, wanted, timeout=120)
    assert {job: len(found) for job, found in up_instances(targets).items()} == wanted
    assert all(target["health"] == "up" for target in targets), targets
    tasks = subprocess.run(
        [
            "docker",
            "service",
            "ps",
            "--quiet",
            "--filter",
            "desired-state=running",
            f"{stack_name}_tweeter",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(tasks) == TWEETERS
    # The web's /metrics answers Prometheus over the overlay, not a client on its port.
    assert requests.get(f"{stack.web_url}/metrics", timeout=10).status_code == 404
