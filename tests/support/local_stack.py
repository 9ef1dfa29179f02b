"""The system under test as processes of the test run: real redis-server, migrate, X
sandbox, gunicorn web, dramatiq tweeter and mailer and an SMTP server, on free
loopback ports. The fixtures in tests/conftest.py start it once per session.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import Process, RedisServer, console_script, free_port
from tests.support.smtp_sink import SmtpSink
from x_sandbox.x_users import user_id_for

#: The admin's X handle, and the id the sandbox gives the account that holds it.
ADMIN_X_USERNAME = "opsadmin"
ADMIN_X_USER_ID = user_id_for(ADMIN_X_USERNAME)


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

    @classmethod
    def start(cls, workdir: Path, settings: Mapping[str, str | None] | None = None) -> LocalStack:
        """Every process, migrated and answering; all stopped again if one fails to start.

        ``settings`` change the test environment's: a value of None drops the
        variable, so the service runs with its own default (as ``make dev`` does).
        """
        redis = RedisServer.start(workdir)
        web_port, sandbox_port = free_port(), free_port()
        env = _test_env(workdir, redis.url, web_port, sandbox_port)
        for name, value in (settings or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        smtp = SmtpSink().start()
        env["SMTP_URL"] = smtp.url
        sandbox = Process("sandbox", [console_script("x-sandbox")], env, workdir / "sandbox.log")
        web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
        stack = cls(workdir=workdir, env=env, redis=redis, web=web, sandbox=sandbox, smtp=smtp)
        try:
            subprocess.run(
                [console_script("tweetnow-migrate")],
                env={**os.environ, **env},
                check=True,
                timeout=60,
            )
            sandbox.start().wait_for_http(f"http://127.0.0.1:{sandbox_port}/_sandbox/health")
            web.start().wait_for_http(f"http://127.0.0.1:{web_port}/healthz")
            stack.start_tweeter()
            stack.start_mailer()
        except BaseException:
            stack.stop()
            raise
        return stack

    @classmethod
    def launch(cls, workdir: Path, *, migrate: bool = True) -> LocalStack:
        """Every process at once, the way ``make dev`` starts them, waiting for none.

        For tests of what a client sees while the system is still starting.
        Without ``migrate`` the database is left empty.
        """
        redis = RedisServer.start(workdir)
        env = _test_env(workdir, redis.url, free_port(), free_port())
        web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
        sandbox = Process("sandbox", [console_script("x-sandbox")], env, workdir / "sandbox.log")
        stack = cls(workdir=workdir, env=env, redis=redis, web=web, sandbox=sandbox)
        try:
            if migrate:
                subprocess.run(
                    [console_script("tweetnow-migrate")],
                    env={**os.environ, **env},
                    check=True,
                    timeout=60,
                )
            sandbox.start()
            web.start()
            for name, group in (("tweeter", stack.tweeters), ("mailer", stack.mailers)):
                group.append(
                    Process(
                        name,
                        [console_script(f"tweetnow-{name}")],
                        {**env, "METRICS_PORT": str(free_port())},
                        workdir / f"{name}.log",
                    ).start()
                )
        except BaseException:
            stack.stop()
            raise
        return stack

    def stop(self) -> None:
        for proc in [*self.schedulers, *self.tweeters, *self.mailers, self.web, self.sandbox]:
            proc.stop()
        if self.smtp is not None:
            self.smtp.stop()
        self.redis.stop()

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

    def start_web(self, name: str, **extra_env: str) -> tuple[Process, str]:
        """Another gunicorn web with settings of its own, on the same database and Redis;
        the process and its base URL (sign-in comes back to it)."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "WEB_PORT": str(port), "PUBLIC_BASE_URL": url, **extra_env}
        proc = Process(name, [console_script("tweetnow-web")], env, self.workdir / f"{name}.log")
        proc.start().wait_for_http(f"{url}/healthz")
        return proc, url

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
        # Webhook receivers of the tests listen on 127.0.0.1; retries come within seconds.
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "WEBHOOK_RETRY_DELAYS_S": "0.5,1,1",
        "WEBHOOK_TIMEOUT_S": "3",
        # The browser tests sign in as this X account to use /admin.
        "ADMIN_X_USER_IDS": ADMIN_X_USER_ID,
    }
