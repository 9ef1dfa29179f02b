"""Dramatiq middleware that keeps each message's job status current, in every process."""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import Middleware

from .job_status import JobState, JobStatusStore


def describe_error(exception: BaseException) -> str:
    text = str(exception).strip()
    return text or type(exception).__name__


class JobStatusMiddleware(Middleware):
    """Writes queued/scheduled/retrying on enqueue and running/outcome around processing.

    It must sit *before* Retries in the middleware list: "after" hooks run in
    reverse order, so Retries has already decided (retry or fail) when this
    middleware records the outcome.
    """

    def __init__(self, store: JobStatusStore) -> None:
        self.store = store

    def before_enqueue(self, broker, message: dramatiq.Message, delay: int | None) -> None:
        self.store.record_enqueued(
            message.message_id,
            actor=message.actor_name,
            queue=message.queue_name.removesuffix(".DQ"),
            delay_ms=delay,
            retrying=bool(message.options.get("retries")),
            owner_id=message.options.get("owner_id"),
            request_id=message.options.get("request_id"),
        )

    def before_process_message(self, broker, message: dramatiq.Message) -> None:
        self.store.record_started(message.message_id)

    def after_process_message(
        self, broker, message: dramatiq.Message, *, result=None, exception=None
    ) -> None:
        if exception is None:
            self.store.record_finished(message.message_id, JobState.SUCCEEDED)
        elif message.failed:
            self.store.record_finished(
                message.message_id, JobState.FAILED, error=describe_error(exception)
            )
        else:
            self.store.record_finished(
                message.message_id, JobState.RETRYING, error=describe_error(exception)
            )

    def after_skip_message(self, broker, message: dramatiq.Message) -> None:
        self.store.record_finished(
            message.message_id, JobState.FAILED, error="skipped: the message was too old"
        )
