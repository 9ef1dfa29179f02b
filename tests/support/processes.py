"""Real processes for tests: started on free loopback ports, logged to files, always stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_gunicorn_argv(app: str) -> list[str]:
    """gunicorn serving the WSGI ``app`` ("module:callable") with the web's own settings
    module, as ``tweetnow-web`` serves the web."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:tweetnow.web.gunicorn_conf", app]


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Process:
    """One child process in its own process group, its output in ``log_path``."""

    name: str
    argv: list[str]
    env: Mapping[str, str]
    log_path: Path
    popen: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> Process:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, *, timeout: float = 30, count: int = 1) -> None:
        def seen() -> bool:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_text()[-3000:]}")
            return self.log_text().count(needle) >= count

        wait_until(seen, timeout=timeout, what=f"{self.name} to log {needle!r}")

    def wait_for_http(self, url: str, *, timeout: float = 30) -> None:
        def up() -> bool:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_text()[-3000:]}")
            try:
                return requests.get(url, timeout=1).status_code < 500
            except requests.RequestException:
                return False

        wait_until(up, timeout=timeout, what=f"{self.name} at {url}")

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the whole process group (a dramatiq worker forks children)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def shut_down(self, timeout: float = 30) -> None:
        """Stop it the way a container stop does: SIGTERM to the main process only, which
        lets Dramatiq shut its workers down cleanly; then whatever is left, as ``stop``."""
        if self.popen is not None and self.alive():
            os.kill(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        self.stop()

    def stop(self, timeout: float = 15) -> None:
        if self.popen is None:
            return
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        self.kill(signal.SIGKILL)  # anything left in the group
        if self.alive():
            self.popen.wait(5)


@dataclass
class RedisServer:
    url: str
    process: Process | None = None

    @classmethod
    def external(cls, url: str) -> RedisServer:
        return cls(url=url)

    @classmethod
    def start(cls, workdir: Path, port: int | None = None) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make redis`")
        port = port or free_port()
        process = Process(
            "redis",
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(workdir),
                "--save",
                "",
                "--appendonly",
                "yes",
            ],
            {},
            workdir / "redis.log",
        ).start()
        server = cls(url=f"redis://127.0.0.1:{port}/0", process=process)
        server.wait_ready()
        return server

    def wait_ready(self) -> None:
        client = redis.Redis.from_url(self.url)

        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(ready, timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def restart(self) -> None:
        """Stop and start the same server (same port and data directory)."""
        assert self.process is not None
        self.process.stop()
        self.process.start()
        self.wait_ready()


def console_script(name: str) -> str:
    return str(BIN / name)
