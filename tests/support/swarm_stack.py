"""The stack `make test-swarm` deploys: deploy/swarm/stack.yml as people deploy it,
with the changes a test on one machine needs, made here in code so each is named.

    python -m tests.support.swarm_stack OUT.yml

writes it. Environment: SWARM_TEST_STACK (stack name, also the prefix of its
secrets), TWEETNOW_TEST_WEB_PORT, TWEETNOW_TEST_SANDBOX_PORT and
TWEETNOW_TEST_PROMETHEUS_PORT (published ports).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
STACK_FILE = ROOT / "deploy" / "swarm" / "stack.yml"
#: The X sandbox's own app keys (public by design, see services/x-sandbox).
SANDBOX_KEYS = {
    "X_CONSUMER_KEY": "sandbox-consumer-key",
    "X_CONSUMER_SECRET": "sandbox-consumer-secret",
}
APP_SERVICES = ("migrate", "web", "tweeter", "mailer", "scheduler")
MONITORING = ROOT / "deploy" / "monitoring"
#: Swarm's default address pool for overlay networks, where Prometheus scrapes from.
OVERLAY_POOL = "10.0.0.0/8"


def _no_aliases(dumper: yaml.SafeDumper, data: Any) -> bool:
    return True


class _Dumper(yaml.SafeDumper):
    ignore_aliases = _no_aliases  # type: ignore[assignment]


def swarm_test_stack(
    stack_name: str, web_port: int, sandbox_port: int, prometheus_port: int | None = None
) -> dict[str, Any]:
    stack: dict[str, Any] = yaml.safe_load(STACK_FILE.read_text())
    services = stack["services"]
    # The x- blocks are only anchors, already merged where they are used.
    for key in [k for k in stack if k.startswith("x-")]:
        del stack[key]

    # Secrets of this test only, so a swarm that already holds tweetnow's keeps them.
    for name, secret in stack["secrets"].items():
        secret["name"] = f"{stack_name}_{name}"

    # The X sandbox stands in for X, so development mode (production refuses the
    # sandbox and http://). The secrets still come from files.
    for name in APP_SERVICES:
        env = dict(services[name]["environment"])
        env.update(
            TWEETNOW_ENV="development",
            X_API_BASE_URL="http://x-sandbox:8081",
            X_AUTHORIZE_BASE_URL=f"http://localhost:{sandbox_port}",
            X_WEB_BASE_URL=f"http://localhost:{sandbox_port}",
            PUBLIC_BASE_URL=f"http://localhost:{web_port}",
            # The quick failure handling of the compose tests (tests/compose/compose.test.yml).
            TWEET_MIN_BACKOFF_MS="200",
            TWEET_MAX_BACKOFF_MS="2000",
            X_TIMEOUT_S="5",
            POST_LEASE_S="6",
            HEARTBEAT_TIMEOUT_MS="5000",
        )
        services[name]["environment"] = env
    services["tweeter"]["environment"]["WORKER_THREADS"] = "2"

    services["x-sandbox"] = {
        "image": "${TWEETNOW_IMAGE_PREFIX:-tweetnow}/x-sandbox:${TWEETNOW_IMAGE_TAG:-latest}",
        "read_only": True,
        "cap_drop": ["ALL"],
        "volumes": [{"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": 67108864}}],
        "environment": {
            "X_SANDBOX_PUBLIC_URL": f"http://localhost:{sandbox_port}",
            "X_SANDBOX_THREADS": "64",
            **SANDBOX_KEYS,
        },
        "networks": ["front", "back"],
        "ports": [{"target": 8081, "published": sandbox_port, "mode": "host"}],
        "deploy": {"replicas": 1},
    }

    if prometheus_port is not None:
        add_prometheus(stack, stack_name, prometheus_port)

    # This machine's engine carries no traffic over a service's virtual IP or the
    # ingress routing mesh (no IPVS): every service is reached through DNS
    # round-robin, and published ports bind on the host itself.
    for service in services.values():
        service.setdefault("deploy", {})["endpoint_mode"] = "dnsrr"
    web = services["web"]
    web["ports"] = [{"target": 8000, "published": web_port, "mode": "host"}]
    # A host port holds one task per node: one web task, replaced stop-first.
    web["deploy"]["replicas"] = 1
    web["deploy"]["update_config"]["order"] = "stop-first"
    web["deploy"]["rollback_config"]["order"] = "stop-first"

    services["tweeter"]["deploy"]["replicas"] = 3
    return stack


def add_prometheus(stack: dict[str, Any], stack_name: str, port: int) -> None:
    """Prometheus as deploy/README.md says to run it on Swarm: prometheus.swarm.yml and
    alerts.yml, on the back network; the web lets the overlay networks read /metrics."""
    stack.setdefault("configs", {}).update(
        {
            "prometheus_yml": {
                "name": f"{stack_name}_prometheus_yml",
                "file": str(MONITORING / "prometheus.swarm.yml"),
            },
            "alerts_yml": {
                "name": f"{stack_name}_alerts_yml",
                "file": str(MONITORING / "alerts.yml"),
            },
        }
    )
    stack["services"]["prometheus"] = {
        "image": "${PROMETHEUS_IMAGE:-prom/prometheus:v2.53.4}",
        "read_only": True,
        "cap_drop": ["ALL"],
        "configs": [
            {"source": "prometheus_yml", "target": "/etc/prometheus/prometheus.yml"},
            {"source": "alerts_yml", "target": "/etc/prometheus/alerts.yml"},
        ],
        # The test's samples need not outlive it: they go to the tmpfs on /tmp (a
        # tmpfs takes its mode, not its owner, from the image's folder, and the
        # image's /prometheus belongs to nobody with mode 755).
        "command": [
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/tmp/prometheus",
        ],
        "volumes": [{"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": 67108864}}],
        # As in docker-compose.yml: the stack counts as deployed once Prometheus is ready.
        "healthcheck": {
            "test": ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"],
            "interval": "5s",
            "timeout": "3s",
            "retries": 10,
            "start_period": "10s",
        },
        "networks": ["back"],
        "ports": [{"target": 9090, "published": port, "mode": "host"}],
        "deploy": {"replicas": 1},
    }
    web_env = stack["services"]["web"]["environment"]
    web_env["METRICS_ALLOW"] = f"{OVERLAY_POOL},127.0.0.0/8"


def main() -> None:
    out = Path(sys.argv[1])
    stack = swarm_test_stack(
        os.environ["SWARM_TEST_STACK"],
        int(os.environ["TWEETNOW_TEST_WEB_PORT"]),
        int(os.environ["TWEETNOW_TEST_SANDBOX_PORT"]),
        int(os.environ["TWEETNOW_TEST_PROMETHEUS_PORT"]),
    )
    out.write_text(yaml.dump(stack, Dumper=_Dumper, sort_keys=False))


if __name__ == "__main__":
    main()
