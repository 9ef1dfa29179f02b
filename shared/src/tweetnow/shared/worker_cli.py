"""Start a Dramatiq worker for one service, configured from the shared settings.

Each service consumes only its own queues: a Dramatiq worker dead-letters a
message for an actor it does not have, so a tweeter must never take mail.
"""

from __future__ import annotations

import os
import sys

from .settings import get_settings


def run_worker(module: str, queues: list[str]) -> None:
    """Replace this process with ``dramatiq <module> --queues ...`` (never returns)."""
    settings = get_settings()
    # Dramatiq's Redis consumer polls; its idle sleep is capped by this timeout
    # (read from the environment by dramatiq.worker at import time).
    os.environ["dramatiq_worker_timeout"] = str(settings.worker_timeout_ms)  # noqa: SIM112
    argv = [
        sys.executable,
        "-m",
        "dramatiq",
        module,
        "--queues",
        *queues,
        "--processes",
        str(settings.worker_processes),
        "--threads",
        str(settings.worker_threads),
        *sys.argv[1:],
    ]
    os.execv(sys.executable, argv)
