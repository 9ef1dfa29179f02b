"""Faults done to the compose stack `make test-faults-compose` started: a container's
process killed as a crash is (so compose's restart policy brings it back), a
container cut off from the stack's network and reconnected, a service restarted,
stopped or paused, and what its Redis and database hold.

The project and files come from COMPOSE_PROJECT_NAME and COMPOSE_FILE in the
environment, as for tests.support.compose_stack.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import time

from tests.support.compose_stack import compose


def docker(*args: str, timeout: float = 60) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def containers(service: str) -> list[str]:
    """The ids of the service's running containers."""
    return compose("ps", "--quiet", "--status", "running", service).split()


def crash(container: str) -> None:
    """SIGKILL the container's main process from the host, as an out-of-memory kill or a
    crash does. (``docker kill`` counts as a manual stop: compose would not restart it.)"""
    pid = docker("inspect", "--format", "{{.State.Pid}}", container).strip()
    subprocess.run(["kill", "-9", pid], check=True, timeout=10)


def crash_random(service: str) -> str:
    container = random.choice(containers(service))
    crash(container)
    return container


def back_network() -> str:
    """The compose network the workers, Redis and PostgreSQL share."""
    return f"{os.environ['COMPOSE_PROJECT_NAME']}_back"


def disconnect(container: str) -> None:
    docker("network", "disconnect", "--force", back_network(), container)


def reconnect(container: str) -> None:
    docker("network", "connect", back_network(), container)


def wait_running(service: str, n: int, *, timeout: float = 120) -> None:
    """Until ``n`` containers of the service run (compose restarts crashed ones)."""
    deadline = time.monotonic() + timeout
    while len(containers(service)) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{service}: fewer than {n} containers running after {timeout} s")
        time.sleep(0.5)


def redis_cli(*args: str) -> str:
    return compose("exec", "-T", "redis", "redis-cli", *args)


def psql(sql: str) -> str:
    """One query's rows as text, run in the postgres container."""
    return compose(
        "exec", "-T", "postgres", "psql", "-U", "tweetnow", "-d", "tweetnow", "-At", "-c", sql
    )


def everything_up() -> None:
    """Unpause and start whatever a scenario paused or stopped (a no-op if all runs)."""
    with contextlib.suppress(AssertionError):  # nothing was paused
        compose("unpause")
    compose("start")
