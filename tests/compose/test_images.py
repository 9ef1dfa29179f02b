"""What ops rely on in the service images: they run as a non-root user and
carry neither pip nor a compiler; web and the sandbox report their health;
each holds its own service's packages and no other's."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.compose_stack import compose

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


#: Every module that tells one service's image from another's: our packages and
#: the third-party ones only one service needs.
MODULES = [
    "tweetnow.shared",
    "tweetnow.web",
    "tweetnow.tweeter",
    "tweetnow.mailer",
    "x_sandbox",
    "dramatiq",
    "falcon",
    "gunicorn",
    "tweepy",
    "requests",
    "periodiq",
    "jinja2",
    "oauthlib",
]

#: What each service's image can import of MODULES (shared declares the recurring jobs
#: with periodiq and makes X's OAuth 2.0 grants with oauthlib, so every image of a
#: tweetnow service has both). The web calls X with the standard library: no tweepy,
#: no requests.
IMPORTABLE = {
    "web": {
        "tweetnow.shared",
        "tweetnow.web",
        "dramatiq",
        "falcon",
        "gunicorn",
        "periodiq",
        "jinja2",
        "oauthlib",
    },
    "tweeter": {
        "tweetnow.shared",
        "tweetnow.tweeter",
        "dramatiq",
        "tweepy",
        "requests",
        "periodiq",
        "oauthlib",
    },
    "mailer": {
        "tweetnow.shared",
        "tweetnow.mailer",
        "dramatiq",
        "requests",
        "periodiq",
        "jinja2",
        "oauthlib",
    },
    "x-sandbox": {"x_sandbox", "falcon", "gunicorn", "oauthlib"},
}
IMPORTABLE["scheduler"] = IMPORTABLE["tweeter"]  # the same image

FIND = (
    "import importlib.util, json, sys\n"
    "def found(name):\n"
    "    try:\n"
    "        return importlib.util.find_spec(name) is not None\n"
    "    except ModuleNotFoundError:\n"
    "        return False\n"
    "print(json.dumps([m for m in sys.argv[1:] if found(m)]))\n"
)


@pytest.mark.parametrize("service", sorted(IMPORTABLE))
def test_holds_only_its_own_services_packages(service: str):
    found = json.loads(compose("exec", "-T", service, "python3", "-c", FIND, *MODULES))
    assert set(found) == IMPORTABLE[service]
