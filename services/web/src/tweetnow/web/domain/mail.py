"""Mail the caller asked for: thoughts (Workin-it), and where each of their mails is.

A thought is mailed, with a GIF found for it, to an address. Sending one only
writes the mail row and asks the mailer for it; the mailer renders and sends
it in the background.
"""

from __future__ import annotations

import math
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.jobs import JobState
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailKind, MailStatus, User
from tweetnow.shared.outbox import request_mail

from ..deps import WebDeps
from ..schemas import Mail as MailAnswer
from ..schemas import ThoughtAccepted, ThoughtCreate, timestamp
from .errors import Invalid, NotFound, TooMany
from .jobs import job_ref

log = get_logger(__name__)

MAX_THOUGHT_CHARS = 1000
RATE_WINDOW = timedelta(hours=1)


def normalized_address(address: str, *, problem: str) -> str:
    """The address in the form mail servers take, or Invalid saying ``problem`` and why."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"`email` {problem}: {exc}", field="email") from None
    # The ASCII form (an internationalized domain as punycode) reaches any mail server.
    return checked.ascii_email or checked.normalized


def check_thought(thought: str) -> str:
    text = thought.strip()
    if not text:
        raise Invalid("`thought` is empty: write something to send.", field="thought")
    if len(text) > MAX_THOUGHT_CHARS:
        raise Invalid(
            f"`thought` is {len(text):,} characters; the limit is {MAX_THOUGHT_CHARS:,}.",
            field="thought",
        )
    return text


def check_rate(user: User, per_hour: int) -> None:
    """TooMany once the user has sent ``per_hour`` thoughts in the last hour."""
    now = utcnow()
    recent = Mail.select(Mail.created_at).where(
        (Mail.user == user)
        & (Mail.kind == MailKind.THOUGHT)
        & (Mail.created_at > to_db(now - RATE_WINDOW))
    )
    if recent.count() < per_hour:
        return
    oldest = recent.order_by(Mail.created_at).first()
    frees_at = oldest.created_at + RATE_WINDOW if oldest else to_db(now + RATE_WINDOW)
    wait_s = max(math.ceil((frees_at - to_db(now)).total_seconds()), 1)
    raise TooMany(
        "Too many thoughts",
        f"You can send {per_hour} thoughts an hour. The next one can go in {_minutes(wait_s)}.",
        retry_after=wait_s,
    )


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class MailService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def send_thought(
        self, user: User, request: ThoughtCreate, *, request_id: str | None
    ) -> ThoughtAccepted:
        recipient = normalized_address(request.email, problem="is not an address we can send to")
        text = check_thought(request.thought)
        check_rate(user, self.deps.settings.thoughts_per_hour)
        mail = request_mail(
            self.deps.broker,
            kind=MailKind.THOUGHT,
            recipient=recipient,
            user=user,
            data={"thought": text},
            request_id=request_id,
        )
        assert mail is not None  # no dedupe key: every thought is a new mail
        log.info("thought_accepted", mail_id=mail.id, job_id=mail.job_id)
        return ThoughtAccepted(mail=answer(mail), job=job_ref(mail.job_id, JobState.QUEUED))

    def get(self, user: User, mail_id: int) -> MailAnswer:
        mail = Mail.get_or_none((Mail.id == mail_id) & (Mail.user == user))
        if mail is None:
            raise NotFound("mail")
        return answer(mail)


def answer(mail: Mail) -> MailAnswer:
    """How a mail row is shown to the person who asked for it."""
    return MailAnswer(
        id=mail.id,
        kind=MailKind(mail.kind),
        recipient=mail.recipient,
        status=MailStatus(mail.status),
        error=mail.error,
        created_at=timestamp(mail.created_at),
        sent_at=iso(mail.sent_at),
    )
