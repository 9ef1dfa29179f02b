"""Checks of the Kubernetes manifests (deploy/k8s) without a cluster.

They run under ``make test-k8s`` (TWEETNOW_TEST_K8S=1), which needs kubectl
for ``kubectl kustomize``; anywhere else they are not even collected.
"""

from __future__ import annotations

import os

ENABLED = os.environ.get("TWEETNOW_TEST_K8S") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]
