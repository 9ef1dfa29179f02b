"""Thoughts (Workin-it): mail a thought, with a GIF found for it, to an address.

``POST /api/thoughts`` answers 202 at once; the mailer renders and sends the
mail in the background. ``GET /api/mail/{id}`` shows where one of the
caller's mails is.
"""

from __future__ import annotations

import math
from datetime import timedelta

import falcon
from email_validator import EmailNotValidError, validate_email

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailKind, User
from tweetnow.shared.outbox import request_mail

from ..authentication import require_user
from ..deps import WebDeps
from ..errors import not_found, unprocessable
from ..request_body import read_json
from ..schemas import ThoughtCreate
from ..views import job_url

log = get_logger(__name__)

MAX_THOUGHT_CHARS = 1000
RATE_WINDOW = timedelta(hours=1)


def mail_json(mail: Mail) -> dict[str, object]:
    return {
        "id": mail.id,
        "kind": mail.kind,
        "recipient": mail.recipient,
        "status": mail.status,
        "error": mail.error,
        "created_at": iso(mail.created_at),
        "sent_at": iso(mail.sent_at),
    }


def check_recipient(address: str) -> str:
    """The address in its normalized form, or 422 saying what is wrong with it."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise unprocessable(
            f"`email` is not an address we can send to: {exc}", field="email"
        ) from None
    # The ASCII form (an internationalized domain as punycode) reaches any mail server.
    return checked.ascii_email or checked.normalized


def check_thought(thought: str) -> str:
    text = thought.strip()
    if not text:
        raise unprocessable("`thought` is empty: write something to send.", field="thought")
    if len(text) > MAX_THOUGHT_CHARS:
        raise unprocessable(
            f"`thought` is {len(text):,} characters; the limit is {MAX_THOUGHT_CHARS:,}.",
            field="thought",
        )
    return text


def check_rate(user: User, per_hour: int) -> None:
    """429 once the user has sent ``per_hour`` thoughts in the last hour."""
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
    raise falcon.HTTPTooManyRequests(
        title="Too many thoughts",
        description=f"You can send {per_hour} thoughts an hour. The next one can go in "
        f"{_minutes(wait_s)}.",
        retry_after=wait_s,
    )


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class Thoughts:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, ThoughtCreate, max_bytes=self.deps.settings.max_body_bytes)
        recipient = check_recipient(body.email)
        thought = check_thought(body.thought)
        check_rate(user, self.deps.settings.thoughts_per_hour)
        mail = request_mail(
            self.deps.broker,
            kind=MailKind.THOUGHT,
            recipient=recipient,
            user=user,
            data={"thought": thought},
            request_id=req.context.request_id,
        )
        assert mail is not None  # no dedupe key: every thought is a new mail
        log.info("thought_accepted", mail_id=mail.id, job_id=mail.job_id)
        url = job_url(mail.job_id)
        resp.status = falcon.HTTP_202
        resp.location = url
        resp.media = {
            "mail": mail_json(mail),
            "job": {"id": mail.job_id, "status": "queued", "url": url},
        }


class MailItem:
    def on_get(self, req: falcon.Request, resp: falcon.Response, mail_id: int) -> None:
        user = require_user(req)
        mail = Mail.get_or_none((Mail.id == mail_id) & (Mail.user == user))
        if mail is None:
            raise not_found("mail")
        resp.media = mail_json(mail)
