"""A WSGI app for the gunicorn worker tests: ``/healthz`` answers at once; any other path
answers after ``PAUSE_S`` with the id of the worker process that served it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

PAUSE_S = 0.5


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] != "/healthz":
        time.sleep(PAUSE_S)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
