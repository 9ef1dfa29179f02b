"""Every overlay of deploy/k8s renders, its objects are valid for the Kubernetes
API (kubernetes-validate, strict: unknown fields are errors) and the KEDA and
Prometheus Operator ones for deploy/k8s/schemas, and they keep the promises
deploy/README.md makes."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tweetnow.shared.messages import DELIVER_WEBHOOK, POST_TWEET, SEND_MAIL
from tweetnow.shared.settings import SECRET_SETTINGS, Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
#: The oldest Kubernetes minor still in wide use, and the newest the validator knows.
VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
#: Custom resources: (API group, kind) -> their schema in deploy/k8s/schemas.
CRD_SCHEMAS = {
    ("keda.sh", "ScaledObject"): "keda-scaledobject.json",
    ("keda.sh", "TriggerAuthentication"): "keda-triggerauthentication.json",
    ("monitoring.coreos.com", "PodMonitor"): "prometheus-podmonitor.json",
}
#: The component an overlay adds on clusters that run the Prometheus Operator.
OPERATOR_COMPONENT = K8S / "components" / "prometheus-operator"
APP = ("web", "tweeter", "mailer", "scheduler")
#: Each worker service and the queues it scales on.
WORKERS = {
    "tweeter": (POST_TWEET.queue,),
    "mailer": (SEND_MAIL.queue, DELIVER_WEBHOOK.queue),
}

Obj = dict[str, Any]


def kustomize(path: Path) -> tuple[Obj, ...]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


@cache
def rendered(overlay: str) -> tuple[Obj, ...]:
    return kustomize(K8S / "overlays" / overlay)


@cache
def rendered_with_operator(overlay: str) -> tuple[Obj, ...]:
    """The overlay with the Prometheus Operator component, as an overlay of it would add it
    (in the overlay's namespace)."""
    (namespace,) = {
        o["metadata"].get("namespace") for o in rendered(overlay) if o["kind"] == "Deployment"
    }
    with tempfile.TemporaryDirectory() as tmp:
        # kustomize takes other kustomizations by relative path only.
        base = os.path.relpath(K8S, tmp)
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": namespace,
            "resources": [f"{base}/overlays/{overlay}"],
            "components": [f"{base}/components/{OPERATOR_COMPONENT.name}"],
        }
        (Path(tmp) / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        return kustomize(Path(tmp))


def find(overlay: str, kind: str, name: str) -> Obj:
    matches = [o for o in rendered(overlay) if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{overlay}: {len(matches)} {kind}/{name}"
    return matches[0]


@cache
def crd_validator(group: str, kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((K8S / "schemas" / CRD_SCHEMAS[group, kind]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(obj: Obj, version: str) -> None:
    group = obj["apiVersion"].rpartition("/")[0]
    if any(group == g for g, _ in CRD_SCHEMAS):
        crd_validator(group, obj["kind"]).validate(obj)
    else:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("operator", [False, True], ids=["plain", "with-prometheus-operator"])
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid(overlay: str, operator: bool, version: str):
    objects = rendered_with_operator(overlay) if operator else rendered(overlay)
    assert objects
    for obj in objects:
        try:
            validate(obj, version)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
            raise AssertionError(
                f"{overlay}: {obj['kind']}/{obj['metadata']['name']} invalid for {version}: "
                f"{exc.message} at {list(exc.absolute_path)}"
            ) from None


def test_the_validators_refuse_what_a_cluster_would_silently_ignore():
    deployment = copy.deepcopy(find("production", "Deployment", "web"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment, VERSIONS[-1])

    scaled = copy.deepcopy(find("production", "ScaledObject", "tweeter"))
    scaled["spec"]["minReplicas"] = 1  # HPA's name, not KEDA's
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled, VERSIONS[-1])
    scaled = copy.deepcopy(find("production", "ScaledObject", "tweeter"))
    scaled["spec"]["triggers"][0]["metadata"]["listLength"] = 40  # KEDA wants strings
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled, VERSIONS[-1])

    (monitor,) = [o for o in rendered_with_operator("production") if o["kind"] == "PodMonitor"]
    monitor = copy.deepcopy(monitor)
    monitor["spec"]["podMetricsEndpoints"][0]["targetport"] = "http"  # misspelt
    with pytest.raises(jsonschema.ValidationError):
        validate(monitor, VERSIONS[-1])


def pod_spec(obj: Obj) -> Obj:
    return obj["spec"]["template"]["spec"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_hardened_and_sized(overlay: str):
    for obj in rendered(overlay):
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        name = f"{overlay}: {obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"requests", "limits"} <= set(container["resources"]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_web_readyz_and_healthz_workers_their_heartbeat(overlay: str):
    web = pod_spec(find(overlay, "Deployment", "web"))["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for worker in WORKERS:
        container = pod_spec(find(overlay, "Deployment", worker))["containers"][0]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            assert container[probe]["exec"]["command"] == ["tweetnow-worker-health"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_are_given_longer_than_their_longest_job_to_stop(overlay: str):
    defaults = Settings.from_env({})
    longest = {"tweeter": defaults.post_lease_s, "mailer": defaults.mail_lease_s}
    for worker, job_s in longest.items():
        grace = pod_spec(find(overlay, "Deployment", worker))["terminationGracePeriodSeconds"]
        assert grace > job_s, (worker, grace, job_s)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_scheduler_even_during_an_update(overlay: str):
    scheduler = find(overlay, "Deployment", "scheduler")
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    assert not [
        o for o in rendered(overlay) if o["kind"] in ("ScaledObject", "HorizontalPodAutoscaler")
        and o["spec"]["scaleTargetRef"]["name"] == "scheduler"
    ]  # fmt: skip


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_once_as_a_job_and_web_waits_for_them(overlay: str):
    job = find(overlay, "Job", "tweetnow-migrate")
    assert job["spec"]["parallelism"] == job["spec"]["completions"] == 1
    assert pod_spec(job)["containers"][0]["command"] == ["tweetnow-migrate"]
    # A new web pod is ready only once /readyz sees the current schema, and no old
    # one goes before a new one is ready.
    web = find(overlay, "Deployment", "web")
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_scale_on_their_queue_and_never_to_zero(overlay: str):
    for worker, queues in WORKERS.items():
        scaled = find(overlay, "ScaledObject", worker)["spec"]
        assert scaled["scaleTargetRef"]["name"] == worker
        assert scaled["minReplicaCount"] >= 1
        assert "idleReplicaCount" not in scaled  # idle would mean zero
        triggers = scaled["triggers"]
        assert [t["metadata"]["listName"] for t in triggers] == [f"dramatiq:{q}" for q in queues]
        for trigger in triggers:
            assert trigger["type"] == "redis"
            auth = find(overlay, "TriggerAuthentication", trigger["authenticationRef"]["name"])
            parameters = {r["parameter"] for r in auth["spec"]["secretTargetRef"]}
            assert parameters == {"address", "password"}
    hpa = find(overlay, "HorizontalPodAutoscaler", "web")
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_app_pod_is_covered_by_a_disruption_budget_except_the_one_scheduler(overlay: str):
    budgets = {
        o["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for o in rendered(overlay)
        if o["kind"] == "PodDisruptionBudget"
    }
    assert budgets == {"web", "tweeter", "mailer"}


def test_development_parts_only_in_dev():
    names = {(o["kind"], o["metadata"]["name"]) for o in rendered("production")}
    for part in ("x-sandbox", "maildev", "redis", "postgres"):
        assert not [n for n in names if n[1] == part], part
    # Production brings no secret values: the Secret is created in the cluster.
    assert not [o for o in rendered("production") if o["kind"] == "Secret"]
    config = next(o for o in rendered("production") if o["kind"] == "ConfigMap")
    assert config["data"]["TWEETNOW_ENV"] == "production"
    dev = {(o["kind"], o["metadata"]["name"]) for o in rendered("dev")}
    assert {
        ("Deployment", "x-sandbox"),
        ("Deployment", "maildev"),
        ("Secret", "tweetnow-secrets"),
    } <= dev


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_setting_is_read_from_the_mounted_secret(overlay: str):
    config = next(o for o in rendered(overlay) if o["kind"] == "ConfigMap")["data"]
    for name in SECRET_SETTINGS:
        if name in ("GIPHY_API_KEY", "X_CLIENT_ID", "X_CLIENT_SECRET"):
            # Optional: thoughts go without a GIF; the OAuth 2.0 client only with X_AUTH=oauth2.
            continue
        assert config[f"{name}_FILE"] == f"/run/secrets/tweetnow/{name.lower()}", name
        assert name not in config, f"{name} in the ConfigMap"
    for name in APP:
        mounts = pod_spec(find(overlay, "Deployment", name))["containers"][0]["volumeMounts"]
        assert {"name": "secrets", "mountPath": "/run/secrets/tweetnow", "readOnly": True} in mounts


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_and_worker_pods_ask_prometheus_to_scrape_their_metrics_port(overlay: str):
    for name in ("web", "tweeter", "mailer"):
        template = find(overlay, "Deployment", name)["spec"]["template"]
        annotations = template["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", name
        assert annotations.get("prometheus.io/path") == "/metrics", name
        (container,) = template["spec"]["containers"]
        ports = {p["containerPort"] for p in container.get("ports", [])}
        port = int(annotations["prometheus.io/port"])
        assert port in ports, (name, port, ports)
        # The port the service serves its metrics on.
        expected = (
            Settings.from_env({}).web_port if name == "web" else Settings.from_env({}).metrics_port
        )
        assert port == expected, name
    # The scheduler sends ticks and records no metrics: nothing to scrape.
    scheduler = find(overlay, "Deployment", "scheduler")["spec"]["template"]["metadata"]
    assert "prometheus.io/scrape" not in scheduler.get("annotations", {})


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels, and In/NotIn expressions) selects these labels."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        if expression["operator"] == "In" and value not in expression["values"]:
            return False
        if expression["operator"] == "NotIn" and value in expression["values"]:
            return False
    return True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_operator_component_scrapes_each_web_and_worker_pod_under_its_job_name(overlay: str):
    objects = rendered_with_operator(overlay)
    (monitor,) = [o for o in objects if o["kind"] == "PodMonitor"]
    spec = monitor["spec"]
    endpoints = {e["port"]: e["path"] for e in spec["podMetricsEndpoints"]}
    scraped = {}
    for deployment in [o for o in objects if o["kind"] == "Deployment"]:
        template = deployment["spec"]["template"]
        labels = template["metadata"]["labels"]
        if not selects(spec["selector"], labels):
            continue
        (container,) = template["spec"]["containers"]
        named = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        matched = [port for port in endpoints if port in named]
        assert len(matched) == 1, (deployment["metadata"]["name"], named)  # one target per pod
        annotations = template["metadata"]["annotations"]
        assert named[matched[0]] == int(annotations["prometheus.io/port"])
        assert endpoints[matched[0]] == annotations["prometheus.io/path"]
        scraped[deployment["metadata"]["name"]] = labels[spec["jobLabel"]]
    # The jobs are named as in deploy/monitoring/prometheus.yml, which alerts.yml uses.
    assert scraped == {"web": "web", "tweeter": "tweeter", "mailer": "mailer"}
    assert (
        monitor["metadata"]["namespace"]
        == find(overlay, "Deployment", "web")["metadata"]["namespace"]
    )
