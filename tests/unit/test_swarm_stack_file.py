"""deploy/swarm/stack.yml keeps the promises of deploy/README.md, and the stack
`make test-swarm` deploys differs from it only where the test machine needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.swarm_stack import ROOT, STACK_FILE, swarm_test_stack
from tweetnow.shared.settings import SECRET_SETTINGS, Settings

APP = ("migrate", "web", "tweeter", "mailer", "scheduler")


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    return yaml.safe_load(STACK_FILE.read_text())


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match.group(1))


def test_every_secret_setting_comes_from_a_docker_secret(stack):
    for name in APP:
        service = stack["services"][name]
        env = service["environment"]
        for setting in SECRET_SETTINGS:
            assert setting not in env, (name, setting)
            if setting == "GIPHY_API_KEY":
                continue  # optional
            secret = setting.lower()
            assert env[f"{setting}_FILE"] == f"/run/secrets/{secret}", (name, setting)
            assert secret in service["secrets"], (name, secret)
            assert stack["secrets"][secret]["external"] is True
        assert env["TWEETNOW_ENV"] == "production"


def test_rolling_updates_web_start_first_workers_stop_first_after_their_longest_job(stack):
    services = stack["services"]
    assert services["web"]["deploy"]["update_config"]["order"] == "start-first"
    defaults = Settings.from_env({})
    for worker, job_s in (("tweeter", defaults.post_lease_s), ("mailer", defaults.mail_lease_s)):
        assert services[worker]["deploy"]["update_config"]["order"] == "stop-first"
        assert seconds(services[worker]["stop_grace_period"]) > job_s


def test_one_scheduler_and_migrate_as_a_job(stack):
    services = stack["services"]
    assert services["scheduler"]["deploy"]["replicas"] == 1
    assert services["scheduler"]["deploy"]["update_config"]["order"] == "stop-first"
    assert services["migrate"]["deploy"]["mode"] == "replicated-job"
    assert services["migrate"]["command"] == ["tweetnow-migrate"]


def test_every_service_is_hardened_restarted_and_checked(stack):
    for name, service in stack["services"].items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": 67108864}} in service[
            "volumes"
        ], name
        assert "restart_policy" in service["deploy"], name
        if name not in ("web", "tweeter", "mailer", "migrate"):  # those: the image's check
            assert "test" in service["healthcheck"], name


def test_the_stack_people_deploy_keeps_swarms_defaults(stack):
    for name, service in stack["services"].items():
        assert "endpoint_mode" not in service["deploy"], name
        for port in service.get("ports", []):
            assert "mode" not in port, name
    assert "x-sandbox" not in stack["services"]


def test_the_test_stack_changes_only_what_the_test_machine_needs(stack):
    test = swarm_test_stack("t", 18200, 18281)
    assert {s["deploy"]["endpoint_mode"] for s in test["services"].values()} == {"dnsrr"}
    assert test["services"]["web"]["ports"] == [
        {"target": 8000, "published": 18200, "mode": "host"}
    ]
    assert set(test["services"]) == {*stack["services"], "x-sandbox"}
    assert test["services"]["tweeter"]["deploy"]["replicas"] == 3
    for name in APP:
        env = test["services"][name]["environment"]
        assert env["TWEETNOW_ENV"] == "development"
        # Still from the secrets' files.
        assert env["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert {s["name"] for s in test["secrets"].values()} == {f"t_{k}" for k in stack["secrets"]}
    assert not [k for k in test if k.startswith("x-")]
    # The file people deploy is read, not changed.
    assert yaml.safe_load(Path(STACK_FILE).read_text()) == stack


def test_the_test_stack_adds_prometheus_with_the_swarm_configuration(stack):
    test = swarm_test_stack("t", 18200, 18281, 18290)
    assert set(test["services"]) == {*stack["services"], "x-sandbox", "prometheus"}
    prometheus = test["services"]["prometheus"]
    assert prometheus["ports"] == [{"target": 9090, "published": 18290, "mode": "host"}]
    files = {c["name"]: Path(c["file"]) for c in test["configs"].values()}
    assert files == {
        "t_prometheus_yml": ROOT / "deploy/monitoring/prometheus.swarm.yml",
        "t_alerts_yml": ROOT / "deploy/monitoring/alerts.yml",
    }
    # Prometheus shares the back network with web and the workers it scrapes.
    for name in ("web", "tweeter", "mailer"):
        assert "back" in test["services"][name]["networks"]
    assert prometheus["networks"] == ["back"]
