"""The worker images' processes at rest: what people deploy, with the images' package
set, like the web's (bench/image_web.py).

The bench's own tweeter, mailer and scheduler run from the development environment,
whose extra packages change what a process holds. So the worker memory target is
also read here, from the images ``make bench`` has just built, run with the bench's
Redis, database and X sandbox on the host's network. The tweeter runs as the bench's
(one process, eight threads) and is read after it has posted ``POSTS`` tweets, each
waited for on the sandbox; the mailer (which sends the sign-in's welcome mail
meanwhile) and the scheduler are read once that is done. Without Docker or the
images this is not measured, and the target keeps the development processes.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from bench import done, images
from bench.machine import process_rss_mb
from tests.support.processes import wait_until
from tests.support.stack import Stack

#: Tweets the tweeter image posts before it is read.
POSTS = 40
#: What each worker writes once it is ready.
READY = {
    "tweeter": "Worker process is ready for action",
    "mailer": "Worker process is ready for action",
    "scheduler": "Starting Periodiq",
}
#: Seconds the workers rest before they are read.
REST_S = 3


def _ready(container: images.Container, line: str) -> bool:
    return line in container.logs()


def run(env: dict[str, str], workdir: Path, stack: Stack) -> dict[str, object] | None:
    """Each process of the tweeter, mailer and scheduler images, RSS in MiB, at rest after
    the tweeter has posted (``processes_mb``: service -> pid -> MiB); None when Docker or
    an image is missing."""
    if not (images.image_built("tweeter") and images.image_built("mailer")):
        return None
    worker_env = {**env, "WORKER_PROCESSES": "1", "WORKER_THREADS": "8"}
    with ExitStack() as running:
        started = {
            "tweeter": running.enter_context(images.running("tweeter", worker_env, workdir)),
            "mailer": running.enter_context(images.running("mailer", worker_env, workdir)),
            "scheduler": running.enter_context(
                images.running("tweeter", env, workdir, ["tweetnow-scheduler"])
            ),
        }
        for service, line in READY.items():
            ready = partial(_ready, started[service], line)
            wait_until(ready, timeout=60, what=f"the {service} image")
        posted = done.post_to_done(stack, POSTS, pause_s=0.0)
        time.sleep(REST_S)
        return {
            "posted": posted["samples"],
            "processes_mb": {
                service: {str(pid): mb for pid, mb in process_rss_mb(c.pid).items()}
                for service, c in started.items()
            },
        }
