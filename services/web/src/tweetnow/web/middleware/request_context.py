"""Middleware: a request id on every request, bound to every log line, echoed back.

One ``request`` line is logged per request, except a liveness probe answered
2xx: an orchestrator asks ``/healthz`` every few seconds, and those lines would
cost each probe half its time and bury the requests people made. The probes
still count in the metrics, and a failed one is logged.
"""

from __future__ import annotations

import os
import re
import time

import falcon
import structlog

from tweetnow.shared.logs import get_logger

log = get_logger("tweetnow.web.request")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

#: Paths whose 2xx answers are not logged: the liveness probe.
QUIET_PATHS = frozenset({"/healthz"})


class RequestContext:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        incoming = req.get_header("X-Request-ID") or ""
        request_id = incoming if _VALID_ID.match(incoming) else os.urandom(16).hex()
        req.context.request_id = request_id
        req.context.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        resp.set_header("X-Request-ID", request_id)

    def process_response(self, req, resp, resource, req_succeeded: bool) -> None:
        if req.path in QUIET_PATHS and resp.status_code < 300:
            structlog.contextvars.clear_contextvars()
            return
        started = getattr(req.context, "started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        user = getattr(req.context, "user", None)
        log.info(
            "request",
            method=req.method,
            path=req.path,
            status=resp.status_code if hasattr(resp, "status_code") else resp.status,
            duration_ms=duration_ms,
            user_id=user.id if user is not None else None,
        )
        structlog.contextvars.clear_contextvars()
