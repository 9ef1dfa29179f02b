"""``x-sandbox``: run the sandbox under gunicorn, one process with several threads."""

from __future__ import annotations

import os
import sys

import gunicorn.config

from x_sandbox.settings import SandboxSettings

#: gunicorn 25.1+ opens a control socket at one per-user path by default, which
#: other gunicorn servers on the machine would share.
_HAS_CONTROL_SOCKET = hasattr(gunicorn.config, "ControlSocketDisable")


def gunicorn_argv(settings: SandboxSettings) -> list[str]:
    options = ["--no-control-socket"] if _HAS_CONTROL_SOCKET else []
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--workers",
        "1",  # the state is in memory: one process only
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.threads),
        "--graceful-timeout",
        "5",
        # Never restart the one worker for silence: after the machine was paused
        # (a VM's pause, a laptop's suspend) gunicorn would take it for stuck, and
        # everything "posted" so far, held in its memory, would be gone.
        "--timeout",
        "0",
        "--access-logfile",
        "-",
        *options,
        "x_sandbox.app:get_app()",
    ]


def main() -> None:
    argv = gunicorn_argv(SandboxSettings.from_env())
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
