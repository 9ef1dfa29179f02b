"""Fixtures for the system under test: real redis-server, migrate, X sandbox,
gunicorn web, dramatiq tweeter and mailer and an SMTP server, started once per
test session on free loopback ports (shared by the system and browser tests).

With TWEETNOW_TEST_WEB_URL and TWEETNOW_TEST_SANDBOX_URL set, the same tests run
against a stack started elsewhere (docker compose); tests that need the
``local`` fixture skip then, since they kill and restart processes of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.processes import Process, RedisServer, console_script, free_port
from tests.support.smtp_sink import SmtpSink
from tests.support.stack import Stack

EXTERNAL_WEB = os.environ.get("TWEETNOW_TEST_WEB_URL")
EXTERNAL_SANDBOX = os.environ.get("TWEETNOW_TEST_SANDBOX_URL")


@dataclass
class LocalStack:
    """The processes behind a Stack started by the test run."""

    workdir: Path
    env: dict[str, str]
    redis: RedisServer
    web: Process
    sandbox: Process
    tweeters: list[Process] = field(default_factory=list)
    schedulers: list[Process] = field(default_factory=list)
    mailers: list[Process] = field(default_factory=list)
    #: The SMTP server the mailers send to (SMTP_URL); it keeps what it receives.
    smtp: SmtpSink | None = None

    def start_tweeter(self, **extra_env: str) -> Process:
        """A tweeter worker; its metrics are on ``proc.env["METRICS_PORT"]``."""
        n = len(self.tweeters)
        proc = Process(
            f"tweeter{n}",
            [console_script("tweetnow-tweeter")],
            {**self.env, "METRICS_PORT": str(free_port()), **extra_env},
            self.workdir / f"tweeter{n}.log",
        ).start()
        proc.wait_for_log("Worker process is ready for action", timeout=30)
        self.tweeters.append(proc)
        return proc

    def start_scheduler(self) -> Process:
        n = len(self.schedulers)
        proc = Process(
            f"scheduler{n}",
            [console_script("tweetnow-scheduler")],
            self.env,
            self.workdir / f"scheduler{n}.log",
        ).start()
        proc.wait_for_log("Starting Periodiq", timeout=30)
        self.schedulers.append(proc)
        return proc

    def start_mailer(self, **extra_env: str) -> Process:
        n = len(self.mailers)
        proc = Process(
            f"mailer{n}",
            [console_script("tweetnow-mailer")],
            {**self.env, "METRICS_PORT": str(free_port()), **extra_env},
            self.workdir / f"mailer{n}.log",
        ).start()
        proc.wait_for_log("Worker process is ready for action", timeout=30)
        self.mailers.append(proc)
        return proc

    def logs(self) -> str:
        parts = [self.web, self.sandbox, *self.tweeters, *self.schedulers, *self.mailers]
        return "\n".join(f"===== {p.name}\n{p.log_text()[-4000:]}" for p in parts)


def _test_env(workdir: Path, redis_url: str, web_port: int, sandbox_port: int) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{workdir / 'tweetnow.sqlite3'}",
        "SECRET_KEY": "system-test-secret",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(web_port),
        "WEB_CONCURRENCY": "2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "X_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
        "X_SANDBOX_HOST": "127.0.0.1",
        "X_SANDBOX_PORT": str(sandbox_port),
        "X_SANDBOX_PUBLIC_URL": f"http://127.0.0.1:{sandbox_port}",
        "LOG_FORMAT": "json",
        # Fast failure handling, so fault tests take seconds, not minutes:
        "TWEET_MIN_BACKOFF_MS": "200",
        "TWEET_MAX_BACKOFF_MS": "2000",
        "X_TIMEOUT_S": "3",
        "POST_LEASE_S": "4",
        "HEARTBEAT_TIMEOUT_MS": "3000",
        "MAINTENANCE_CHANCE": "100000",  # per million Redis calls: 10%
        # Tweets due in over 10 s wait for the dispatcher; orphans are re-sent after 2 s.
        "SCHEDULE_DIRECT_S": "10",
        "SWEEP_GRACE_S": "2",
        "MAIL_MIN_BACKOFF_MS": "200",
        "MAIL_MAX_BACKOFF_MS": "2000",
        "SMTP_TIMEOUT_S": "3",
        # The browser tests sign in as this X handle to use /admin.
        "ADMIN_X_USERNAMES": "opsadmin",
    }


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack | None]:
    if EXTERNAL_WEB:
        yield None
        return
    workdir = tmp_path_factory.mktemp("stack")
    redis = RedisServer.start(workdir)
    web_port, sandbox_port = free_port(), free_port()
    env = _test_env(workdir, redis.url, web_port, sandbox_port)
    smtp = SmtpSink().start()
    env["SMTP_URL"] = smtp.url
    subprocess.run(
        [console_script("tweetnow-migrate")], env={**os.environ, **env}, check=True, timeout=60
    )
    sandbox = Process("sandbox", [console_script("x-sandbox")], env, workdir / "sandbox.log")
    web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
    stack = LocalStack(workdir=workdir, env=env, redis=redis, web=web, sandbox=sandbox, smtp=smtp)
    try:
        sandbox.start().wait_for_http(f"http://127.0.0.1:{sandbox_port}/_sandbox/health")
        web.start().wait_for_http(f"http://127.0.0.1:{web_port}/healthz")
        stack.start_tweeter()
        stack.start_mailer()
        yield stack
    finally:
        for proc in [*stack.schedulers, *stack.tweeters, *stack.mailers, web, sandbox]:
            proc.stop()
        smtp.stop()
        redis.stop()
        if os.environ.get("TWEETNOW_TEST_SHOW_LOGS"):
            sys.stderr.write(stack.logs())


@pytest.fixture(scope="session")
def stack(local_stack: LocalStack | None) -> Stack:
    if local_stack is None:
        assert EXTERNAL_WEB and EXTERNAL_SANDBOX, "set both TWEETNOW_TEST_*_URL variables"
        return Stack(web_url=EXTERNAL_WEB.rstrip("/"), sandbox_url=EXTERNAL_SANDBOX.rstrip("/"))
    env = local_stack.env
    return Stack(web_url=env["PUBLIC_BASE_URL"], sandbox_url=env["X_SANDBOX_PUBLIC_URL"])


@pytest.fixture(scope="session")
def local(local_stack: LocalStack | None) -> LocalStack:
    """For tests that manage processes themselves: skipped against an external stack."""
    if local_stack is None:
        pytest.skip("needs processes started by this test run (not an external stack)")
    return local_stack


@pytest.fixture
def no_faults(stack: Stack) -> Iterator[None]:
    """The sandbox without scripted faults before and after a test."""
    stack.clear_faults()
    yield
    stack.clear_faults()
