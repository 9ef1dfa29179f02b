"""Production mode: every unsafe setting is named, all at once, with what to set;
development needs nothing set at all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from tweetnow.shared.settings import (
    EXIT_BAD_SETTINGS,
    Settings,
    settings_problems,
)

ROOT = Path(__file__).resolve().parents[2]

#: A production configuration with nothing unsafe in it.
SAFE = {
    "TWEETNOW_ENV": "production",
    "SECRET_KEY": "a-long-random-secret-of-this-deployment",
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "X_CONSUMER_KEY": "our-x-app-key",
    "X_CONSUMER_SECRET": "our-x-app-secret",
    "X_API_BASE_URL": "https://api.twitter.com",
    "X_AUTHORIZE_BASE_URL": "https://api.twitter.com",
    "X_WEB_BASE_URL": "https://x.com",
    "PUBLIC_BASE_URL": "https://tweetnow.example.org",
    "REDIS_URL": "redis://:s3cret-redis@redis:6379/0",
    "DATABASE_URL": "postgresql://tweetnow:s3cret-pg@postgres:5432/tweetnow",
    "SMTP_URL": "smtp+starttls://mailer:s3cret-smtp@relay.example.org:587",
    "METRICS_ALLOW": "10.0.0.0/8",
}


def problems(**changes: str | None) -> list[str]:
    env = {**SAFE, **changes}
    return settings_problems(Settings.from_env({k: v for k, v in env.items() if v is not None}))


def test_development_with_nothing_set_has_no_problem():
    assert settings_problems(Settings.from_env({})) == []


def test_a_safe_production_configuration_has_no_problem():
    assert problems() == []


@pytest.mark.parametrize(
    ("changes", "starts_with", "says"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is the public development key", "set SECRET_KEY"),
        ({"ENCRYPTION_KEYS": None}, "ENCRYPTION_KEYS is empty", "set ENCRYPTION_KEYS"),
        ({"X_CONSUMER_KEY": None}, "X_CONSUMER_KEY is the X sandbox's", "consumer key"),
        (
            {"X_AUTH": "oauth2", "X_CLIENT_SECRET": "our-client-secret"},
            "X_CLIENT_ID is the X sandbox's (X_AUTH=oauth2)",
            "client id",
        ),
        (
            {"X_AUTH": "oauth2", "X_CLIENT_ID": "our-client-id"},
            "X_CLIENT_SECRET is the X sandbox's (X_AUTH=oauth2)",
            "client secret",
        ),
        (
            {"X_CONSUMER_SECRET": "sandbox-consumer-secret"},
            "X_CONSUMER_SECRET is the X sandbox's",
            "consumer secret",
        ),
        (
            {"X_API_BASE_URL": "http://127.0.0.1:8081"},
            "X_API_BASE_URL=http://127.0.0.1:8081 points at this machine",
            "set it to https://api.twitter.com",
        ),
        (
            {"X_API_BASE_URL": "https://[::1]:9000"},
            "X_API_BASE_URL=https://[::1]:9000 points at this machine",
            "https://api.twitter.com",
        ),
        (
            {"X_AUTHORIZE_BASE_URL": "http://localhost:18081"},
            "X_AUTHORIZE_BASE_URL=http://localhost:18081 points at this machine",
            "https://api.twitter.com",
        ),
        (
            {"X_API_BASE_URL": "http://x-sandbox:8081"},
            "X_API_BASE_URL=http://x-sandbox:8081 points at the X sandbox",
            "https://api.twitter.com",
        ),
        (
            {"X_WEB_BASE_URL": "https://x.example.org:8081"},
            "X_WEB_BASE_URL=https://x.example.org:8081 points at the X sandbox",
            "set it to https://x.com",
        ),
        (
            {"X_WEB_BASE_URL": "http://x.com"},
            "X_WEB_BASE_URL=http://x.com is not https",
            "set it to https://x.com",
        ),
        (
            {"REDIS_URL": "redis://:change-me-redis@redis:6379/0"},
            "REDIS_URL uses the placeholder password 'change-me-redis'",
            "REDIS_PASSWORD",
        ),
        (
            {"DATABASE_URL": "postgresql://tweetnow:change-me-postgres@postgres/tweetnow"},
            "DATABASE_URL uses the placeholder password 'change-me-postgres'",
            "POSTGRES_PASSWORD",
        ),
        (
            {"SMTP_URL": "smtp://mailer:secret@relay.example.org:587"},
            "SMTP_URL logs in to relay.example.org without TLS",
            "smtp+starttls://",
        ),
        ({"METRICS_ALLOW": "*"}, "METRICS_ALLOW is *", "set it to your Prometheus's networks"),
        ({"WEBHOOK_ALLOW_PRIVATE": "1"}, "WEBHOOK_ALLOW_PRIVATE is on", "remove it"),
        (
            {"PUBLIC_BASE_URL": "http://tweetnow.example.org"},
            "PUBLIC_BASE_URL=http://tweetnow.example.org is not https",
            "https://",
        ),
    ],
)
def test_each_unsafe_setting_is_named_with_what_to_set(changes, starts_with, says):
    (problem,) = problems(**changes)
    assert problem.startswith(starts_with)
    assert says in problem
    assert "\n" not in problem


def test_a_password_in_a_url_is_never_printed():
    (problem,) = problems(SMTP_URL="smtp://mailer:hunter2@relay.example.org:587")
    assert "hunter2" not in problem


def test_smtp_without_login_needs_no_tls():
    """A local relay that takes mail without logging in has no password to protect."""
    assert problems(SMTP_URL="smtp://relay.example.org:25") == []


def test_every_problem_is_listed_at_once():
    unsafe = {
        "TWEETNOW_ENV": "production",
        "REDIS_URL": "redis://:change-me-redis@redis:6379/0",
        "DATABASE_URL": "postgresql://tweetnow:change-me-postgres@postgres/tweetnow",
        "SMTP_URL": "smtp://mailer:secret@relay:587",
        "METRICS_ALLOW": "*",
    }
    found = settings_problems(Settings.from_env(unsafe))
    named = [p.split()[0].split("=")[0] for p in found]
    assert named == [
        "SECRET_KEY",
        "ENCRYPTION_KEYS",
        "X_CONSUMER_KEY",
        "X_CONSUMER_SECRET",
        "X_API_BASE_URL",
        "X_AUTHORIZE_BASE_URL",
        "X_WEB_BASE_URL",
        "REDIS_URL",
        "DATABASE_URL",
        "SMTP_URL",
        "METRICS_ALLOW",
        "PUBLIC_BASE_URL",
    ]


def test_the_env_example_and_compose_passwords_are_placeholders():
    """Whatever password the repository suggests, production refuses it."""
    shipped = re.findall(r"^\w+_PASSWORD=(\S+)$", (ROOT / ".env.example").read_text(), re.M)
    shipped += re.findall(r"\$\{\w+_PASSWORD:-([^}]+)\}", (ROOT / "docker-compose.yml").read_text())
    assert len(set(shipped)) >= 4
    for password in set(shipped):
        (problem,) = problems(REDIS_URL=f"redis://:{password}@redis:6379/0")
        assert problem.startswith("REDIS_URL uses the placeholder password")


def test_an_encryption_key_that_is_not_a_fernet_key_is_refused_everywhere():
    good = Fernet.generate_key().decode()
    (problem,) = settings_problems(Settings.from_env({"ENCRYPTION_KEYS": f"{good},not-a-key"}))
    assert problem.startswith("ENCRYPTION_KEYS: key 2 is not a Fernet key")


def test_the_development_secret_key_never_signs_cookies_for_an_https_site():
    (problem,) = settings_problems(Settings.from_env({"PUBLIC_BASE_URL": "https://t.example"}))
    assert problem.startswith("SECRET_KEY is the public development key while PUBLIC_BASE_URL")


def test_an_old_key_may_stay_listed_behind_a_new_one_while_rotating():
    development_key = Settings.from_env({}).encryption_keys[0]
    assert problems(ENCRYPTION_KEYS=f"{SAFE['ENCRYPTION_KEYS']},{development_key}") == []


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from tweetnow.shared.settings import startup_settings; startup_settings()"
    clean = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refusing_to_start_prints_one_line_per_problem_and_no_traceback():
    done = _start({"TWEETNOW_ENV": "production"})
    assert done.returncode == EXIT_BAD_SETTINGS
    lines = done.stderr.splitlines()
    assert len(lines) == 8
    assert lines[0].startswith("SECRET_KEY ")
    assert "Traceback" not in done.stderr


def test_an_unknown_environment_is_refused_rather_than_taken_for_development():
    done = _start({"TWEETNOW_ENV": "prod"})
    assert done.returncode == EXIT_BAD_SETTINGS
    assert done.stderr.strip() == "TWEETNOW_ENV must be development or production, got 'prod'"


def test_development_starts_with_nothing_set():
    assert _start({}).returncode == 0


def test_the_production_compose_file_turns_production_mode_on_for_every_tweetnow_service():
    base = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    production = yaml.safe_load((ROOT / "deploy" / "compose.production.yml").read_text())
    ours = {
        name
        for name, service in base.items()
        if "TWEETNOW_IMAGE_PREFIX" in service["image"] and name != "x-sandbox"
    }
    assert ours == {"migrate", "web", "tweeter", "mailer", "scheduler"}
    for name in ours:
        assert production["services"][name]["environment"]["TWEETNOW_ENV"] == "production"


def test_oauth2_with_its_own_client_has_no_problem():
    assert problems(X_AUTH="oauth2", X_CLIENT_ID="our-id", X_CLIENT_SECRET="our-secret") == []


def test_x_auth_names_one_of_the_two_methods():
    assert Settings.from_env({}).x_auth == "oauth1"
    assert Settings.from_env({"X_AUTH": "OAuth2"}).x_auth == "oauth2"
    with pytest.raises(ValueError, match="X_AUTH must be oauth1 or oauth2"):
        Settings.from_env({"X_AUTH": "oauth3"})
