"""Jobs: where a background job is, readable only by the person it belongs to."""

from __future__ import annotations

import redis

from tweetnow.shared.clock import iso
from tweetnow.shared.jobs import JobRecord, JobState
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import SEND_MAIL
from tweetnow.shared.models import Mail, Tweet, TweetStatus, User
from tweetnow.shared.worker_registry import runs_now

from ..deps import WebDeps
from ..schemas import Job, JobRef
from .errors import NotFound

log = get_logger(__name__)


def job_ref(job_id: str, status: JobState) -> JobRef:
    """A pointer to a job just accepted, for the client to poll."""
    return JobRef(id=job_id, status=status, url=f"/api/jobs/{job_id}")


class JobService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def get(self, user: User, job_id: str) -> Job:
        """The job as Redis knows it, else as its outbox row implies; not found unless
        it is the user's."""
        try:
            record = self.deps.jobs.get(job_id)
        except redis.RedisError as exc:
            log.warning("job_status_unavailable", job_id=job_id, error=str(exc))
            record = None
        if record is None:
            record = _row_record(user, job_id)
        if record is None or record.owner_id != str(user.id):
            raise NotFound("job")
        return Job(
            id=record.id,
            status=self._shown_status(record),
            attempts=record.attempts,
            error=_shown_error(user, record),
            enqueued_at=record.enqueued_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
            next_attempt_at=record.next_attempt_at,
            request_id=record.request_id,
        )

    def _shown_status(self, record: JobRecord) -> JobState:
        """``running`` only while a live worker runs it; otherwise the job waits to be
        taken again (its worker died or lost Redis: Dramatiq or the sweeper sends it again)."""
        status = JobState(record.status)
        if status != JobState.RUNNING:
            return status
        try:
            running = runs_now(self.deps.redis, record.worker, record.id)
        except redis.RedisError:
            return status
        return status if running else JobState.QUEUED


def _shown_error(user: User, record: JobRecord) -> str | None:
    """The job's error as its owner may read it.

    A mail job's error is the mail server's reply as it came (for operators: it
    can name hosts, policies and addresses); its owner reads the mailer's summary
    on the mail row instead.
    """
    if record.error is None or record.actor != SEND_MAIL.actor_name:
        return record.error
    mail = Mail.get_or_none((Mail.job_id == record.id) & (Mail.user == user))
    return mail.error if mail is not None else None


def _row_record(user: User, job_id: str) -> JobRecord | None:
    """A job whose message is not in Redis (yet): the outbox row stands for it."""
    row: Tweet | Mail | None = Tweet.get_or_none((Tweet.job_id == job_id) & (Tweet.user == user))
    if row is None:
        row = Mail.get_or_none((Mail.job_id == job_id) & (Mail.user == user))
    if row is None:
        return None
    scheduled = getattr(row, "status", None) == TweetStatus.SCHEDULED
    return JobRecord(
        id=job_id,
        status=JobState.SCHEDULED if scheduled else JobState.QUEUED,
        attempts=0,
        error=None,
        enqueued_at=iso(row.created_at),
        started_at=None,
        finished_at=None,
        next_attempt_at=iso(getattr(row, "send_at", None)),
        actor=None,
        queue=None,
        owner_id=str(user.id),
        request_id=row.request_id,
        worker=None,
    )
