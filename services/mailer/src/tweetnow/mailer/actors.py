"""The mailer's Dramatiq actors. ``dramatiq tweetnow.mailer.actors -Q mail``."""

from __future__ import annotations

from dramatiq.middleware import CurrentMessage

from tweetnow.shared.contracts import consumes
from tweetnow.shared.db import database, open_database
from tweetnow.shared.log_setup import configure_logging, get_logger
from tweetnow.shared.messages import SEND_MAIL, SendMail
from tweetnow.shared.settings import get_settings

from .composing import MailComposer
from .delivery import MailDelivery
from .email_message import Sender
from .giphy import GiphySearch
from .rendering import MailRenderer
from .smtp_sending import SmtpSender
from .smtp_target import parse_smtp_url

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
log = get_logger(__name__)
open_database(settings.database_url)

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


def _is_last_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:
        return False
    return message.options.get("retries", 0) >= SEND_MAIL.retry.max_retries


@consumes(SEND_MAIL)
def send_mail(payload: SendMail) -> None:
    with database.connection_context():
        delivery.deliver(payload.mail_id, last_attempt=_is_last_attempt())
