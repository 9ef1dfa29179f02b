"""The web image's gunicorn workers' memory, after the same kinds of requests as the
HTTP rows: the process people deploy, with the image's package set.

The bench's own web runs from the development environment, whose extra packages
change what a worker holds: structlog imports rich when it is installed (the
development tools bring it), about 6 MiB the images never load. So the memory
target is read here, from the image ``make bench`` has just built, run with the
bench's Redis, database and X sandbox on the host's network and as the bench's
own user (the SQLite file is the bench's). Without Docker, or without the image,
it is not measured, and the target falls back to the development web's workers.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import images, web_load
from bench.machine import worker_memory_mb
from tests.support.processes import free_port

#: Seconds of each kind of request before the workers are read.
WARM_SECONDS = 5
#: The rows whose requests warm the image's workers: what a worker serves most.
WARMING_ROWS = ("GET /healthz", "GET /api/me", "POST /api/tweets")


def _wait_for_health(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run(env: dict[str, str], workdir: Path, tokens: list[str]) -> dict[str, object] | None:
    """Each of the web image's gunicorn workers as RSS, PSS and USS in MiB, after
    WARM_SECONDS of each warming row; None when Docker or the image is missing."""
    image = images.image_name("web")
    if not images.docker_reachable() or (
        subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode
    ):
        return None
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    image_env = {**env, "WEB_PORT": str(port), "PUBLIC_BASE_URL": url}
    argv = ["docker", "run", "--detach", "--rm", "--network", "host"]
    argv += ["--user", f"{os.getuid()}:{os.getgid()}", "--volume", f"{workdir}:{workdir}"]
    for name, value in sorted(image_env.items()):
        argv += ["--env", f"{name}={value}"]
    container = subprocess.run(
        [*argv, image], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        _wait_for_health(f"{url}/healthz")
        for load in web_load.loads(url, url, tokens):
            if load.name in WARMING_ROWS:
                web_load.wrk(load, WARM_SECONDS)
        pid = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Pid}}", container],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return {"image": image, "workers_mb": worker_memory_mb(int(pid))}
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)
