"""The web image's gunicorn workers' memory, after the same kinds of requests as the
HTTP rows: the process people deploy, with the image's package set.

The bench's own web runs from the development environment, whose extra packages
change what a worker holds: structlog imports rich when it is installed (the
development tools bring it), about 6 MiB the images never load. So the memory
target is read here, from the image ``make bench`` has just built, run with the
bench's Redis, database and X sandbox on the host's network and as the bench's
own user (the SQLite file is the bench's). Without Docker, or without the image,
it is not measured, and the target falls back to the development web's workers.

A worker grows with the kinds of requests it serves: a sign-in encrypts the
account's tokens (OpenSSL's code, mapped from cryptography's library, counts in
RSS once the worker has run it), an upload decodes an image. So the workers
are read twice: after the API requests, and again after sign-ins with an image
upload each. The target takes the larger, a worker that has served them all.
"""

from __future__ import annotations

import io
import urllib.request
from functools import partial
from pathlib import Path

from PIL import Image

from bench import images, web_load
from bench.machine import worker_memory_mb
from tests.support.processes import free_port, wait_until
from tests.support.stack import Stack

#: Seconds of each kind of request before the workers are read.
WARM_SECONDS = 5
#: The rows whose requests warm the image's workers: what a worker serves most.
WARMING_ROWS = ("GET /healthz", "GET /api/me", "POST /api/tweets")
#: Sign-ins, each with an image upload, spread over the workers by new connections.
SIGN_INS = 12


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _sign_in_and_upload(stack: Stack, count: int) -> None:
    png = _png()
    for _ in range(count):
        person = stack.sign_in()
        r = person.api().post(
            person.url("/api/media"),
            files={"file": ("bench.png", png, "application/octet-stream")},
            timeout=30,
        )
        r.raise_for_status()


def run(env: dict[str, str], workdir: Path, tokens: list[str]) -> dict[str, object] | None:
    """Each of the web image's gunicorn workers as RSS, PSS and USS in MiB, after
    WARM_SECONDS of each warming row (``workers_mb``), then after SIGN_INS sign-ins
    with an upload each (``after_sign_ins_mb``); None when Docker or the image is
    missing."""
    if not images.image_built("web"):
        return None
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    image_env = {**env, "WEB_PORT": str(port), "PUBLIC_BASE_URL": url}
    with images.running("web", image_env, workdir) as web:
        wait_until(partial(_answers, f"{url}/healthz"), timeout=60, what="the web image")
        for load in web_load.loads(url, url, url, tokens):
            if load.name in WARMING_ROWS:
                web_load.wrk(load, WARM_SECONDS)
        at_rest = worker_memory_mb(web.pid)
        _sign_in_and_upload(Stack(web_url=url, sandbox_url=env["X_SANDBOX_PUBLIC_URL"]), SIGN_INS)
        return {
            "image": images.image_name("web"),
            "workers_mb": at_rest,
            "after_sign_ins_mb": worker_memory_mb(web.pid),
        }
