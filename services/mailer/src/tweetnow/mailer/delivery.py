"""Sending one mail: claim the row, render it, hand it to SMTP, record what happened."""

from __future__ import annotations

from datetime import timedelta

import dramatiq

from tweetnow.shared.clock import utcnow
from tweetnow.shared.errors import PermanentFailure
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.models import Mail

from . import mail_rows
from .composing import MailComposer
from .email_message import Sender, build_email, check_recipient, message_id_for
from .rendering import MailRenderer
from .send_failures import classify
from .smtp_sending import SmtpSender

log = get_logger(__name__)

#: After a lease held by another worker ends, wait this much longer before looking again.
LEASE_SLACK = timedelta(milliseconds=500)


class TransientMailError(Exception):
    """The mail could not be sent now; Dramatiq retries with backoff."""


class MailDelivery:
    def __init__(
        self,
        *,
        composer: MailComposer,
        renderer: MailRenderer,
        smtp: SmtpSender,
        sender: Sender,
        lease_s: float,
    ) -> None:
        self.composer = composer
        self.renderer = renderer
        self.smtp = smtp
        self.sender = sender
        self.lease_s = lease_s

    def deliver(self, mail_id: int, *, last_attempt: bool) -> None:
        claim = mail_rows.claim(mail_id, self.lease_s)
        if claim is None:
            log.warning("mail_missing", mail_id=mail_id)
            return
        if isinstance(claim, mail_rows.Finished):
            log.info("mail_already_done", mail_id=mail_id, status=claim.status)
            return
        if isinstance(claim, mail_rows.Busy):
            wait = max(claim.lease_until - utcnow(), timedelta(0)) + LEASE_SLACK
            raise dramatiq.Retry(
                "another worker is sending this mail", delay=int(wait.total_seconds() * 1000)
            )

        mail = claim.mail
        if claim.took_over:
            log.warning("mail_lease_taken_over", mail_id=mail.id, attempt=mail.attempts)
        log.info("mail_sending", mail_id=mail.id, kind=mail.kind, attempt=mail.attempts)
        try:
            self._send(mail)
        except Exception as exc:
            self._handle_failure(exc, mail, last_attempt)
            return
        mail_rows.mark_sent(mail.id)
        log.info("mail_sent", mail_id=mail.id, kind=mail.kind, attempt=mail.attempts)

    def _send(self, mail: Mail) -> None:
        recipient = check_recipient(mail.recipient)
        rendered = self.renderer.render(self.composer.content_of(mail))
        message = build_email(
            rendered,
            sender=self.sender,
            recipient=recipient,
            message_id=message_id_for(mail.id, mail.job_id, self.sender.domain),
            date=utcnow(),
        )
        self.smtp.send(message, sender=self.sender.address, recipient=recipient)

    def _handle_failure(self, exc: Exception, mail: Mail, last_attempt: bool) -> None:
        failure = classify(exc)
        if failure is None:
            if last_attempt:
                reason = f"gave up after {mail.attempts} attempts: {type(exc).__name__}: {exc}"
                mail_rows.mark_failed(mail.id, reason)
                log.error("mail_failed", mail_id=mail.id, reason=reason)
                raise PermanentFailure(reason) from exc
            mail_rows.release(mail.id, "an unexpected error; retrying")
            raise exc

        if failure.permanent or last_attempt:
            reason = failure.reason
            if not failure.permanent:
                reason = f"gave up after {mail.attempts} attempts: {failure.reason}"
            mail_rows.mark_failed(mail.id, reason)
            log.warning("mail_failed", mail_id=mail.id, kind=mail.kind, reason=reason)
            raise PermanentFailure(reason) from exc

        mail_rows.release(mail.id, f"{failure.reason}; retrying")
        log.info("mail_will_retry", mail_id=mail.id, reason=failure.reason)
        raise TransientMailError(failure.reason) from exc
