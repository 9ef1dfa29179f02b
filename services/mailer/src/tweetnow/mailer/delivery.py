"""Sending one mail: claim the row, render it, hand it to SMTP, record what happened;
and the actor that does it.

The ``send_mail`` actor consumes ``SEND_MAIL`` with the retry policy of the
settings the worker was started with. Whether an attempt is the last one is
Dramatiq's retry count (``jobs.is_last_attempt``); whether a failure ends the
mail is ``jobs.final_failure``, the same rule the tweeter follows.
"""

from __future__ import annotations

from datetime import timedelta

import dramatiq
from dramatiq.middleware import CurrentMessage

from tweetnow.shared.clock import utcnow
from tweetnow.shared.contracts import PermanentFailure, consumes
from tweetnow.shared.jobs import final_failure, is_last_attempt
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import SEND_MAIL, SendMail, retry_policy
from tweetnow.shared.models import Mail
from tweetnow.shared.webhook_events import WebhookEvents
from tweetnow.shared.worker import WorkerRuntime

from . import mail_rows
from .composing import MailComposer
from .email_message import Sender, build_email, check_recipient, message_id_for
from .giphy import GiphySearch
from .rendering import MailRenderer
from .send_failures import classify, unexpected
from .smtp import SmtpSender, parse_smtp_url

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
        log.debug("mail_sending", mail_id=mail.id, kind=mail.kind, attempt=mail.attempts)
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
        """Record what went wrong: its summary on the mail row (what the person sees),
        its full reason, the server's reply included, in the job's error (what the
        admin dashboard shows) and the log."""
        failure = classify(exc)
        expected = failure is not None
        if failure is None:
            failure = unexpected(exc)

        def ending(text: str) -> str | None:
            return final_failure(
                text, permanent=failure.permanent, last_attempt=last_attempt, attempts=mail.attempts
            )

        reason = ending(failure.reason)
        if reason is not None:
            mail_rows.mark_failed(mail.id, ending(failure.summary) or failure.summary)
            if expected:
                log.warning("mail_failed", mail_id=mail.id, kind=mail.kind, reason=reason)
            else:
                log.error("mail_failed", mail_id=mail.id, reason=reason)
            raise PermanentFailure(reason) from exc
        mail_rows.release(mail.id, f"{failure.summary}; retrying")
        if not expected:
            raise exc
        log.info("mail_will_retry", mail_id=mail.id, reason=failure.reason)
        raise TransientMailError(failure.reason) from exc


def declare_send_mail(runtime: WorkerRuntime) -> None:
    """Declare the ``send_mail`` actor, with the delivery its settings describe."""
    settings = runtime.settings
    retry = retry_policy(SEND_MAIL, settings)
    smtp_target = parse_smtp_url(settings.smtp_url)
    giphy = (
        GiphySearch(
            api_url=settings.giphy_api_url,
            api_key=settings.giphy_api_key,
            timeout_s=settings.giphy_timeout_s,
        )
        if settings.giphy_api_key
        else None
    )
    delivery = MailDelivery(
        composer=MailComposer(giphy),
        renderer=MailRenderer(app_url=settings.public_base_url),
        smtp=SmtpSender(smtp_target, timeout_s=settings.smtp_timeout_s),
        sender=Sender.parse(settings.mail_from),
        lease_s=settings.mail_lease_s,
    )
    log.info("mailer_configured", smtp=smtp_target.describe(), gifs=giphy is not None)
    events = WebhookEvents(runtime.broker, x_web_base_url=settings.x_web_base_url)

    @consumes(SEND_MAIL, broker=runtime.broker, retry=retry)
    def send_mail(payload: SendMail) -> None:
        last_attempt = is_last_attempt(CurrentMessage.get_current_message(), retry.max_retries)
        with runtime.database.connection_context():
            try:
                delivery.deliver(payload.mail_id, last_attempt=last_attempt)
            finally:
                events.after_mail(payload.mail_id)
