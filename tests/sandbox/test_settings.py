"""Configuration from the environment, and the gunicorn command it becomes."""

from __future__ import annotations

import sys

import pytest

from x_sandbox.serve import gunicorn_argv
from x_sandbox.settings import SandboxSettings, SandboxSettingsError


def test_defaults_work_locally():
    settings = SandboxSettings.from_env({})
    assert settings == SandboxSettings(
        host="127.0.0.1",
        port=8081,
        consumer_key="sandbox-consumer-key",
        consumer_secret="sandbox-consumer-secret",
        public_url="http://127.0.0.1:8081",
        threads=16,
    )


def test_environment_overrides():
    settings = SandboxSettings.from_env(
        {
            "X_SANDBOX_HOST": "0.0.0.0",
            "X_SANDBOX_PORT": "9000",
            "X_CONSUMER_KEY": "key",
            "X_CONSUMER_SECRET": "secret",
            "X_SANDBOX_PUBLIC_URL": "http://localhost:9000/",
            "X_SANDBOX_THREADS": "4",
        }
    )
    assert (settings.host, settings.port, settings.threads) == ("0.0.0.0", 9000, 4)
    assert (settings.consumer_key, settings.consumer_secret) == ("key", "secret")
    assert settings.public_url == "http://localhost:9000"


@pytest.mark.parametrize(
    ("name", "value"),
    [("X_SANDBOX_PORT", "http"), ("X_SANDBOX_PORT", "0"), ("X_SANDBOX_THREADS", "0")],
)
def test_bad_numbers_are_refused(name: str, value: str):
    with pytest.raises(SandboxSettingsError, match=name):
        SandboxSettings.from_env({name: value})


def test_gunicorn_runs_one_threaded_worker_on_the_configured_address():
    argv = gunicorn_argv(SandboxSettings(host="127.0.0.1", port=9123, threads=5))
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    joined = " ".join(argv)
    assert "--bind 127.0.0.1:9123" in joined
    assert "--workers 1" in joined
    assert "--worker-class gthread" in joined
    assert "--threads 5" in joined
    assert argv[-1] == "x_sandbox.app:get_app()"
