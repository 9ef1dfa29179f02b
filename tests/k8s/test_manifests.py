"""Every overlay of deploy/k8s renders, its objects are valid for the Kubernetes
API (kubernetes-validate, strict: unknown fields are errors) and the KEDA ones for
deploy/k8s/schemas, and they keep the promises deploy/README.md makes."""

from __future__ import annotations

import copy
import json
import subprocess
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
KEDA_SCHEMAS = {
    "ScaledObject": "keda-scaledobject.json",
    "TriggerAuthentication": "keda-triggerauthentication.json",
}
APP = ("web", "tweeter", "mailer", "scheduler")
#: Each worker service and the queues it scales on.
WORKERS = {
    "tweeter": (POST_TWEET.queue,),
    "mailer": (SEND_MAIL.queue, DELIVER_WEBHOOK.queue),
}

Obj = dict[str, Any]


@cache
def rendered(overlay: str) -> tuple[Obj, ...]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def find(overlay: str, kind: str, name: str) -> Obj:
    matches = [o for o in rendered(overlay) if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{overlay}: {len(matches)} {kind}/{name}"
    return matches[0]


@cache
def keda_validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((K8S / "schemas" / KEDA_SCHEMAS[kind]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(obj: Obj, version: str) -> None:
    if obj["apiVersion"].startswith("keda.sh/"):
        keda_validator(obj["kind"]).validate(obj)
    else:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid(overlay: str, version: str):
    objects = rendered(overlay)
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
        if name == "GIPHY_API_KEY":
            continue  # optional: thoughts go without a GIF
        assert config[f"{name}_FILE"] == f"/run/secrets/tweetnow/{name.lower()}", name
        assert name not in config, f"{name} in the ConfigMap"
    for name in APP:
        mounts = pod_spec(find(overlay, "Deployment", name))["containers"][0]["volumeMounts"]
        assert {"name": "secrets", "mountPath": "/run/secrets/tweetnow", "readOnly": True} in mounts
