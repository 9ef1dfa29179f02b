"""Under TWEETNOW_ENV=production, the real service processes refuse unsafe settings:
gunicorn serving the web app, the workers under Dramatiq, the scheduler and the
migrations all exit non-zero with one line per problem and no traceback,
before they listen, connect or fork."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess, run

import pytest

from tweetnow.shared.settings import EXIT_BAD_SETTINGS

BIN = Path(sys.executable).parent

#: Unsafe on purpose: placeholders from .env.example, SMTP login in the clear,
#: metrics open to anyone, and every development default left as it is.
UNSAFE = {
    "TWEETNOW_ENV": "production",
    "REDIS_URL": "redis://:change-me-redis@127.0.0.1:1/0",
    "DATABASE_URL": "postgresql://tweetnow:change-me-postgres@127.0.0.1:1/tweetnow",
    "SMTP_URL": "smtp://mailer:secret@relay.example.org:587",
    "METRICS_ALLOW": "*",
}

#: The variable each refusal line begins with, in order.
NAMED = [
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


@pytest.fixture(autouse=True)
def _sandbox_without_faults() -> Iterator[None]:
    """Overrides the system tests' fixture: these processes need no stack, and start none."""
    yield


def start(argv: list[str], tmp_path: Path) -> CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **UNSAFE}
    return run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90)


def refusal_lines(output: str) -> list[str]:
    """The lines that name a variable (Dramatiq and gunicorn add their own start-up lines)."""
    return [line for line in output.splitlines() if line.split(" ")[0].split("=")[0] in NAMED]


@pytest.mark.parametrize(
    "argv",
    [
        # gunicorn itself, as the web image runs it, with the app factory.
        [
            str(BIN / "gunicorn"),
            "--config",
            "python:tweetnow.web.gunicorn_conf",
            "tweetnow.web.app:get_app()",
        ],
        [str(BIN / "tweetnow-web")],
        # Dramatiq itself, loading the tweeter's boot function in its worker process.
        [sys.executable, "-m", "dramatiq", "tweetnow.tweeter.worker:boot", "--processes", "1"],
        [str(BIN / "tweetnow-tweeter")],
        [str(BIN / "tweetnow-mailer")],
        [str(BIN / "tweetnow-scheduler")],
        [str(BIN / "tweetnow-migrate")],
        [str(BIN / "tweetnow-rotate-keys")],
    ],
    ids=lambda argv: " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv)),
)
def test_a_service_refuses_unsafe_production_settings(argv: list[str], tmp_path: Path):
    done = start(argv, tmp_path)
    assert done.returncode == EXIT_BAD_SETTINGS, done.stderr
    lines = refusal_lines(done.stderr)
    assert [line.split(" ")[0].split("=")[0] for line in lines] == NAMED, done.stderr
    assert "Traceback" not in done.stderr
    assert "Listening at" not in done.stderr  # gunicorn never bound its port
