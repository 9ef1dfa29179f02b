"""Mail the caller asked for: thoughts (Workin-it), and where each of their mails is.

A thought is mailed, with a GIF found for it, to an address. Sending one only
writes the mail row and asks the mailer for it; the mailer renders and sends
it in the background.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from tweetnow.shared.clock import iso
from tweetnow.shared.jobs import JobState
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailKind, MailStatus, User
from tweetnow.shared.outbox import enqueue_mail, record_mail

from ..deps import WebDeps
from ..schemas import Mail as MailAnswer
from ..schemas import ThoughtAccepted, ThoughtCreate, timestamp
from .errors import Invalid, NotFound
from .fair_use import check_thoughts_per_hour, one_at_a_time
from .idempotency import IdempotentRequest
from .jobs import job_ref

log = get_logger(__name__)

MAX_THOUGHT_CHARS = 1000


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


class MailService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def send_thought(
        self,
        user: User,
        request: ThoughtCreate,
        *,
        request_id: str | None,
        once: IdempotentRequest | None = None,
    ) -> ThoughtAccepted:
        if once:
            once.replay_if_answered()
        recipient = normalized_address(request.email, problem="is not an address we can send to")
        text = check_thought(request.thought)
        # The limit is checked and the row written under the person's lock, and the
        # job sent once that is committed (the outbox rule).
        with one_at_a_time(user):
            if once:
                once.replay_if_answered()  # a request with the same key may have committed
            check_thoughts_per_hour(user, self.deps.settings.thoughts_per_hour)
            mail = record_mail(
                kind=MailKind.THOUGHT,
                recipient=recipient,
                user=user,
                data={"thought": text},
                request_id=request_id,
            )
            assert mail is not None  # no dedupe key: every thought is a new mail
            accepted = ThoughtAccepted(mail=answer(mail), job=job_ref(mail.job_id, JobState.QUEUED))
            if once:
                once.remember(202, accepted, accepted.job.url)
        enqueue_mail(self.deps.broker, mail)
        log.info("thought_accepted", mail_id=mail.id, job_id=mail.job_id)
        return accepted

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
