"""The monitoring files agree with each other and with what they describe: the Swarm
scrape configuration is the compose one on ``tasks.<service>``, the Grafana
dashboard uses the provisioned data source from where compose mounts it, and every
series the alerts and the dashboard read is one the README documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
GRAFANA = MONITORING / "grafana"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_the_swarm_configuration_is_the_compose_one_on_task_names():
    compose = load(MONITORING / "prometheus.yml")
    swarm = load(MONITORING / "prometheus.swarm.yml")
    for job in compose["scrape_configs"]:
        for sd in job["dns_sd_configs"]:
            sd["names"] = [f"tasks.{name}" for name in sd["names"]]
    assert swarm == compose
    assert [job["job_name"] for job in compose["scrape_configs"]] == ["web", "tweeter", "mailer"]


def test_the_dashboard_reads_the_provisioned_data_source_from_the_mounted_folder():
    (source,) = load(GRAFANA / "provisioning/datasources/prometheus.yml")["datasources"]
    (provider,) = load(GRAFANA / "provisioning/dashboards/tweetnow.yml")["providers"]
    grafana = load(ROOT / "docker-compose.yml")["services"]["grafana"]
    mounts = dict(reversed(v.rsplit(":", 2)[:2]) for v in grafana["volumes"])
    assert mounts[provider["options"]["path"]] == "./deploy/monitoring/grafana/dashboards"
    assert mounts["/etc/grafana/provisioning"] == "./deploy/monitoring/grafana/provisioning"
    dashboard = json.loads((GRAFANA / "dashboards/tweetnow.json").read_text())
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == source["uid"], panel["title"]


def series_in(text: str) -> set[str]:
    """The tweetnow series named in PromQL, histogram parts as their histogram."""
    names = set(re.findall(r"\btweetnow_[a-z_]+", text))
    return {re.sub(r"_(bucket|count|sum)$", "", n) for n in names}


def test_every_series_the_alerts_and_the_dashboard_read_is_documented():
    rules = [r for g in load(MONITORING / "alerts.yml")["groups"] for r in g["rules"]]
    dashboard = json.loads((GRAFANA / "dashboards/tweetnow.json").read_text())
    read = series_in(" ".join(r["expr"] for r in rules))
    read |= series_in(" ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"]))
    readme = (ROOT / "README.md").read_text()
    metrics = readme[readme.index("### Metrics") : readme.index("### Logs")]
    documented = series_in(metrics)
    assert read and read <= documented, read - documented
