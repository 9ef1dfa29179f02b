"""Dramatiq's stored messages, decoded for people, and the job records beside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tweetnow.shared.jobs import JobStatusStore

#: Actors whose payload names a row the dashboard can open.
ROW_LINKS = {"post_tweet": ("tweet_id", "/admin/tweets/"), "send_mail": ("mail_id", "/admin/mail/")}
JOB_FIELDS = ("status", "attempts", "error", "next_attempt_at", "worker", "finished_at")


@dataclass(frozen=True, kw_only=True)
class QueuedMessage:
    redis_id: str
    job_id: str
    queue: str
    actor: str
    arguments: str
    enqueued_at: datetime | None
    retries: int
    eta: datetime | None
    dead_at: datetime | None = None
    row_url: str | None = None
    job: dict[str, str] | None = None


def _millis(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError):
        return None


def decode(redis_id: str, raw: bytes | None, dead_score: float | None = None) -> QueuedMessage:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    options = data.get("options") or {}
    kwargs = data.get("kwargs") or {}
    args = data.get("args") or []
    parts = [json.dumps(a) for a in args] + [f"{k}={json.dumps(v)}" for k, v in kwargs.items()]
    actor = data.get("actor_name", "?")
    row_url = None
    if actor in ROW_LINKS:
        field, prefix = ROW_LINKS[actor]
        if isinstance(kwargs.get(field), int):
            row_url = f"{prefix}{kwargs[field]}"
    return QueuedMessage(
        redis_id=redis_id,
        job_id=data.get("message_id", redis_id),
        queue=str(data.get("queue_name", "")).removesuffix(".DQ"),
        actor=actor,
        arguments=", ".join(parts) if raw else "(payload missing)",
        enqueued_at=_millis(data.get("message_timestamp")),
        retries=int(options.get("retries") or 0),
        eta=_millis(options.get("eta")),
        dead_at=_millis(dead_score) if dead_score is not None else None,
        row_url=row_url,
    )


def with_jobs(store: JobStatusStore, messages: list[QueuedMessage]) -> list[QueuedMessage]:
    """Each message with its job record's main fields (one pipelined round trip)."""
    if not messages:
        return messages
    pipe = store.client.pipeline(transaction=False)
    for m in messages:
        pipe.hmget(store.prefix + m.job_id, *JOB_FIELDS)
    out = []
    for m, values in zip(messages, pipe.execute(), strict=True):
        job = {f: v.decode() for f, v in zip(JOB_FIELDS, values, strict=True) if v}
        out.append(QueuedMessage(**{**m.__dict__, "job": job or None}))
    return out
