"""What each service image adds over its base, in MB as Docker counts them (10^6 bytes).

The images are built first with ``docker compose build``: the ones people run, from
this tree, so the number cannot be a stale build's. A service's layers are the rows
of ``docker history`` above its base's (the same recipe's, PYTHON_IMAGE). Without a
reachable Docker the rows are left out and ``make bench`` says so: nothing else in
it needs Docker. A build that fails (no base image here, say) is reported, not
fatal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVICES = ("web", "tweeter", "mailer", "x-sandbox")
#: The base image the Dockerfile and docker-compose.yml default to.
DEFAULT_BASE = "python:3.11-slim"
MB = 1_000_000
HISTORY_ROW = "{{.Size}}\t{{.CreatedBy}}"


def docker_reachable() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def _history(image: str) -> list[tuple[int, str]]:
    """``image``'s layers, newest first: (bytes, the instruction that made it)."""
    out = subprocess.run(
        ["docker", "history", "--human=false", "--no-trunc", "--format", HISTORY_ROW, image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        size, _, created_by = line.partition("\t")
        made_by = re.sub(r"^/bin/sh -c (#\(nop\) )?", "", " ".join(created_by.split()))
        rows.append((int(size), re.sub(r"\b(dir|file):[0-9a-f]{64}", r"\1", made_by)))
    return rows


def image_name(service: str) -> str:
    prefix = os.environ.get("TWEETNOW_IMAGE_PREFIX", "tweetnow")
    return f"{prefix}/{service}:{os.environ.get('TWEETNOW_IMAGE_TAG', 'latest')}"


def image_built(service: str) -> bool:
    """Whether Docker is reachable and has the service's image (``make bench`` built it)."""
    if not docker_reachable():
        return False
    inspect = ["docker", "image", "inspect", image_name(service)]
    return subprocess.run(inspect, capture_output=True).returncode == 0


@dataclass(frozen=True)
class Container:
    id: str
    #: The host pid of the container's first process (a process group with its forks).
    pid: int

    def logs(self) -> str:
        found = subprocess.run(["docker", "logs", self.id], capture_output=True, text=True)
        return found.stdout + found.stderr


@contextmanager
def running(
    service: str, env: dict[str, str], workdir: Path, command: Sequence[str] = ()
) -> Iterator[Container]:
    """The service's image running with ``env`` on the host's network (the bench's Redis,
    database and sandbox are on the host) as this user, with ``workdir`` (the bench's
    SQLite file) mounted, and ``command`` instead of the image's own if given; removed
    after."""
    argv = ["docker", "run", "--detach", "--rm", "--network", "host"]
    argv += ["--user", f"{os.getuid()}:{os.getgid()}", "--volume", f"{workdir}:{workdir}"]
    for name, value in sorted(env.items()):
        argv += ["--env", f"{name}={value}"]
    container = subprocess.run(
        [*argv, image_name(service), *command], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        pid = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Pid}}", container],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        yield Container(container, int(pid))
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)


def run() -> dict[str, object] | None:
    """Build the images and measure them; None without a reachable Docker."""
    if not docker_reachable():
        return None
    build = subprocess.run(
        ["docker", "compose", "build", *SERVICES], cwd=ROOT, capture_output=True, text=True
    )
    if build.returncode != 0:
        return {"error": "docker compose build failed: " + build.stderr.strip()[-300:]}
    base = os.environ.get("PYTHON_IMAGE", DEFAULT_BASE)
    base_history = _history(base)
    base_layers = len(base_history)
    services: dict[str, object] = {}
    for service in SERVICES:
        ours = _history(image_name(service))[:-base_layers]
        services[service] = {
            "added_mb": round(sum(size for size, _ in ours) / MB, 1),
            "layers": [
                {"mb": round(size / MB, 2), "made_by": created_by[:120]}
                for size, created_by in ours
                if size
            ],
        }
    base_mb = round(sum(size for size, _ in base_history) / MB, 1)
    return {"base": base, "base_mb": base_mb, "services": services}
