"""Dramatiq middleware that binds the job's ids to every log line of an attempt.

The request id of the HTTP request that created a job travels in the message
options, so one id follows the work from the web log to every attempt.
"""

from __future__ import annotations

import time

import dramatiq
import structlog
from dramatiq.middleware import Middleware

from .log_setup import get_logger

log = get_logger("tweetnow.jobs")


class LogContextMiddleware(Middleware):
    def before_process_message(self, broker, message: dramatiq.Message) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            job_id=message.message_id,
            request_id=message.options.get("request_id"),
            actor=message.actor_name,
            attempt=message.options.get("retries", 0) + 1,
        )
        message.options["_started_monotonic"] = time.monotonic()
        log.info("job_started", queue=message.queue_name)

    def after_process_message(
        self, broker, message: dramatiq.Message, *, result=None, exception=None
    ) -> None:
        started = message.options.pop("_started_monotonic", None)
        duration_ms = round((time.monotonic() - started) * 1000, 1) if started else None
        if exception is None:
            log.info("job_succeeded", duration_ms=duration_ms)
        elif message.failed:
            log.error("job_failed", duration_ms=duration_ms, error=str(exception))
        else:
            log.warning("job_will_retry", duration_ms=duration_ms, error=str(exception))
        structlog.contextvars.clear_contextvars()
