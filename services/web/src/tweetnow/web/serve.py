"""``tweetnow-web``: serve the app with gunicorn (configured by gunicorn_conf)."""

from __future__ import annotations

import os
import sys

from tweetnow.shared.settings import startup_settings


def main() -> None:
    startup_settings()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:tweetnow.web.gunicorn_conf",
        *sys.argv[1:],
        "tweetnow.web.app:get_app()",
    ]
    os.execv(sys.executable, argv)
