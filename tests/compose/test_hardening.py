"""Every container of the stack runs hardened and reports its health honestly: a
read-only root filesystem, no Linux capabilities, no-new-privileges, healthy
(the one-shot migrate: exited 0); and a worker whose Dramatiq stops
heartbeating turns unhealthy."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.support.compose_stack import compose

SERVICES = [
    "redis",
    "postgres",
    "migrate",
    "web",
    "tweeter",
    "mailer",
    "scheduler",
    "x-sandbox",
    "maildev",
]


def inspect(container: str) -> dict:
    done = subprocess.run(
        ["docker", "inspect", container], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)[0]


def containers(service: str) -> list[str]:
    return compose("ps", "--all", "--quiet", service).split()


def health(container: str) -> str:
    return inspect(container)["State"]["Health"]["Status"]


def wait_health(container: str, wanted: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while (status := health(container)) != wanted:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{container} still {status}, not {wanted}, after {timeout}s")
        time.sleep(1)


@pytest.mark.parametrize("service", SERVICES)
def test_every_container_is_hardened_and_healthy(service: str):
    found = containers(service)
    assert found, f"no {service} container"
    for container in found:
        info = inspect(container)
        host = info["HostConfig"]
        assert host["ReadonlyRootfs"] is True
        assert host["CapDrop"] == ["ALL"]
        assert not host["CapAdd"]
        assert "no-new-privileges:true" in host["SecurityOpt"]
        if service == "migrate":
            assert info["State"]["Status"] == "exited"
            assert info["State"]["ExitCode"] == 0
        else:
            assert info["State"]["Health"]["Status"] == "healthy"


@pytest.mark.parametrize("service", ["web", "tweeter", "mailer", "scheduler", "x-sandbox"])
def test_the_image_cannot_be_changed_at_run_time(service: str):
    probe = "import os; open('/app/written', 'w')"
    done = subprocess.run(
        ["docker", "exec", containers(service)[0], "python3", "-c", probe],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "Read-only file system" in done.stderr


#: Sends the signal argv[1] to the pids argv[2:], or else to this container's
#: registered Dramatiq worker processes, and prints the pids: the master (pid 1)
#: is not one of them and keeps running.
SIGNAL_WORKERS = """
import os, signal, socket, sys
from tweetnow.shared.db import redis_client
from tweetnow.shared.settings import get_settings
from tweetnow.shared.worker_health import local_workers
pids = [int(p) for p in sys.argv[2:]] or [
    pid for _, pid in local_workers(redis_client(get_settings()), socket.gethostname())
]
for pid in pids:
    os.kill(pid, getattr(signal, sys.argv[1]))
print(" ".join(str(pid) for pid in pids))
"""


def signal_workers(container: str, signal_name: str, pids: list[int] | None = None) -> list[int]:
    argv = ["python3", "-c", SIGNAL_WORKERS, signal_name, *map(str, pids or [])]
    done = subprocess.run(
        ["docker", "exec", container, *argv], capture_output=True, text=True, check=True
    )
    return [int(pid) for pid in done.stdout.split()]


@pytest.fixture
def frozen_tweeter() -> Iterator[str]:
    """A tweeter container whose Dramatiq worker processes are stopped (SIGSTOP)."""
    container = containers("tweeter")[0]
    wait_health(container, "healthy")
    stopped = signal_workers(container, "SIGSTOP")
    assert stopped
    try:
        yield container
    finally:
        signal_workers(container, "SIGCONT", stopped)
        wait_health(container, "healthy")


def test_a_worker_whose_dramatiq_stops_heartbeating_turns_unhealthy(frozen_tweeter: str):
    assert inspect(frozen_tweeter)["State"]["Status"] == "running"  # pid 1 is still up
    wait_health(frozen_tweeter, "unhealthy")


#: Kills the scheduler's periodiq process (argv: none) and prints its pid.
KILL_PERIODIQ = """
import os, pathlib, signal
me = str(os.getpid())
for cmdline in pathlib.Path('/proc').glob('[0-9]*/cmdline'):
    if cmdline.parent.name != me and b'from periodiq import entrypoint' in cmdline.read_bytes():
        os.kill(int(cmdline.parent.name), signal.SIGKILL)
        print(cmdline.parent.name)
"""


def docker_signal(container: str, signal_name: str) -> None:
    subprocess.run(["docker", "kill", "--signal", signal_name, container], check=True)


@pytest.fixture
def scheduler_without_periodiq() -> Iterator[str]:
    """The scheduler with its supervisor (pid 1) stopped and periodiq killed, so
    that nothing restarts periodiq until the supervisor is continued."""
    (container,) = containers("scheduler")
    wait_health(container, "healthy")
    docker_signal(container, "SIGSTOP")  # from outside: pid 1 ignores it from within
    try:
        killed = subprocess.run(
            ["docker", "exec", container, "python3", "-c", KILL_PERIODIQ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert killed
        yield container
    finally:
        docker_signal(container, "SIGCONT")
        wait_health(container, "healthy")


def test_the_scheduler_turns_unhealthy_while_periodiq_is_not_running(
    scheduler_without_periodiq: str,
):
    wait_health(scheduler_without_periodiq, "unhealthy")
