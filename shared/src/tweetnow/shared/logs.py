"""Structured logging: one event per line, JSON in containers, readable in a terminal.

Every line carries whatever is bound in the context (request_id, job_id, ...),
so one id can be followed from the web request to every attempt of its job:
the web binds the request's ids, ``LogContextMiddleware`` a job's (read from
the message only when a line is written). Every
e-mail address in a line is masked (``a***@example.com``) before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from contextvars import ContextVar
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

from .jobs import JobState, attempt_outcome

_configured = False

#: An e-mail address: the first character of its local part, the rest of it, its domain.
_ADDRESS = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]{2,})")


def mask_addresses(text: str) -> str:
    """``ada@example.com`` becomes ``a***@example.com``: enough to tell mails apart in a
    log, not enough to mail anyone."""
    return _ADDRESS.sub(r"\1***@\2", text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_addresses(value) if "@" in value else value
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_masked(v) for v in value)
    if isinstance(value, BaseException):
        return mask_addresses(str(value))
    return value


def mask_event_addresses(
    logger: Any, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Mask every e-mail address in every value of a log event, whoever logged it.

    It runs last before rendering, after tracebacks are turned into text, so an
    address in an SMTP reply, an exception or a third-party library's message is
    masked too; no call site has to remember it.
    """
    return {key: _masked(value) for key, value in event.items()}


#: The ids of the attempt this thread runs (``LogContextMiddleware``): one context variable
#: set per attempt, its fields joined to a line only when one is written (most attempts
#: write none), rather than one bound per field.
_current_job: ContextVar[dict[str, Any] | None] = ContextVar("tweetnow_job", default=None)


def job_fields(message: MessageProxy) -> dict[str, Any]:
    """The ids every line of an attempt carries (taken when it starts: Retries counts the
    attempt in the message before the "after" hooks that log how it ended)."""
    return {
        "job_id": message.message_id,
        "request_id": message.options.get("request_id"),
        "actor": message.actor_name,
        "attempt": message.options.get("retries", 0) + 1,
    }


def merge_job_context(
    logger: Any, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Add the running attempt's ids to a line (what the line sets itself wins)."""
    fields = _current_job.get()
    if fields is not None:
        for key, value in fields.items():
            event.setdefault(key, value)
    return event


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Our own events go straight from structlog to stderr, one write per line, with no
    stdlib ``LogRecord`` in between (a request's log line was a fifth of its cost);
    other libraries' stdlib logging is rendered the same way by the root handler."""
    global _configured
    if _configured:
        return
    _configured = True
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    rendering: list[structlog.types.Processor] = [
        structlog.processors.format_exc_info,
        mask_event_addresses,
        renderer,
    ]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            merge_job_context,
            structlog.processors.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *rendering,
        ],
        logger_factory=_named_write_logger,
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                merge_job_context,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _NamedWriteLogger(structlog.WriteLogger):
    """Writes lines to stderr and knows its name (``add_logger_name`` reads it)."""

    def __init__(self, name: str) -> None:
        super().__init__(sys.stderr)
        self.name = name


def _named_write_logger(*args: Any) -> _NamedWriteLogger:
    return _NamedWriteLogger(str(args[0]) if args else "")


def get_logger(name: str) -> Any:
    """A logger whose lines carry ``logger=name`` (lazy: configuration may come later)."""
    return structlog.get_logger(name)


_jobs_log = get_logger("tweetnow.jobs")


class LogContextMiddleware(Middleware):
    """Binds the job's ids to every log line of an attempt, and logs how it ended.

    The request id of the HTTP request that created a job travels in the message
    options, so one id follows the work from the web log to every attempt. An
    attempt that ends well writes no line at INFO (``job_started`` and
    ``job_succeeded`` are DEBUG lines, with the same fields): a line at INFO or
    above says the job needs a look — ``job_will_retry`` (WARNING), ``job_failed``
    (ERROR), ``job_skipped`` (WARNING, too old to run). It must sit before Retries
    in the middleware list (see ``jobs.attempt_outcome``).
    """

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        # What the attempt before bound in this thread was cleared when it ended.
        _current_job.set(job_fields(message))
        message.options["_started_monotonic"] = time.monotonic()
        _jobs_log.debug("job_started", queue=message.queue_name)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        started = message.options.pop("_started_monotonic", None)
        duration_ms = round((time.monotonic() - started) * 1000, 1) if started else None
        outcome = attempt_outcome(message, exception)
        if outcome is JobState.SUCCEEDED:
            _jobs_log.debug("job_succeeded", duration_ms=duration_ms)
        elif outcome is JobState.FAILED:
            _jobs_log.error("job_failed", duration_ms=duration_ms, error=str(exception))
        else:
            _jobs_log.warning("job_will_retry", duration_ms=duration_ms, error=str(exception))
        _current_job.set(None)
        structlog.contextvars.clear_contextvars()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        message.options.pop("_started_monotonic", None)
        _current_job.set(None)
        _jobs_log.warning("job_skipped", reason="the message was too old", **job_fields(message))
        structlog.contextvars.clear_contextvars()
