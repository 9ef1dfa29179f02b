"""What ops rely on in the service images: they run as a non-root user and
carry neither pip nor a compiler; web and the sandbox report their health."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import compose

PROBE = (
    "import importlib.util, os, shutil; "
    "print(os.getuid(), importlib.util.find_spec('pip') is not None, "
    "any(shutil.which(c) for c in ('gcc', 'cc', 'make')))"
)


@pytest.mark.parametrize("service", ["web", "tweeter", "mailer", "scheduler", "x-sandbox"])
def test_runs_as_non_root_without_build_tools(service: str):
    uid, has_pip, has_compiler = compose("exec", "-T", service, "python3", "-c", PROBE).split()
    assert uid != "0"
    assert has_pip == "False"
    assert has_compiler == "False"


@pytest.mark.parametrize("service", ["web", "x-sandbox"])
def test_reports_healthy(service: str):
    (container,) = compose("ps", "--quiet", service).split()
    status = subprocess.run(
        ["docker", "inspect", "--format", "{{.State.Health.Status}}", container],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert status == "healthy"
