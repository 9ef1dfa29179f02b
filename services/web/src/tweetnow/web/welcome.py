"""The welcome mail: sent once, to the first address a user gives."""

from __future__ import annotations

import dramatiq

from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailKind, User
from tweetnow.shared.outbox import request_mail

log = get_logger(__name__)


def welcome_key(user: User) -> str:
    return f"welcome:{user.id}"


def request_welcome(
    broker: dramatiq.Broker, user: User, *, request_id: str | None = None
) -> Mail | None:
    """Ask the mailer to welcome ``user`` at their (just saved) address.

    Call it after the address is committed. Only the first address gets a
    welcome: None when the user was welcomed before, or has no address.
    """
    if not user.email:
        return None
    mail = request_mail(
        broker,
        kind=MailKind.WELCOME,
        recipient=user.email,
        user=user,
        data={},
        dedupe_key=welcome_key(user),
        request_id=request_id,
    )
    if mail is not None:
        log.info("welcome_requested", user_id=user.id, mail_id=mail.id, job_id=mail.job_id)
    return mail
