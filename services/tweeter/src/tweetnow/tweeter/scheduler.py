"""``tweetnow-scheduler``: the one periodiq process, kept alive.

periodiq exits (code 1) on any error while sending a tick, e.g. when Redis is
unreachable. This supervisor restarts it with a growing pause, so a Redis
outage delays recurring jobs instead of ending them. Run exactly one; a
second one does no harm (each tick runs once), only wasted messages.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from tweetnow.shared.logs import configure_logging, get_logger
from tweetnow.shared.settings import startup_settings

from .worker import TWEETER

log = get_logger("tweetnow.scheduler")

MAX_PAUSE_S = 30.0


def main() -> None:
    settings = startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    run_periodiq = "from periodiq import entrypoint; entrypoint()"
    argv = [sys.executable, "-c", run_periodiq, "-v", TWEETER.boot_function]
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = 1.0
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(argv)
        code = child.wait()
        if stopping:
            break
        if time.monotonic() - started > 60:
            pause = 1.0  # it ran fine for a while: start over gently
        log.warning("periodiq_exited", code=code, restart_in_s=pause)
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE_S)
    sys.exit(0)
