"""The mailer's Dramatiq actors. ``dramatiq tweetnow.mailer.actors -Q mail``."""

from __future__ import annotations

from tweetnow.shared.broker import setup_broker
from tweetnow.shared.log_setup import configure_logging
from tweetnow.shared.messages import MAIL_QUEUE
from tweetnow.shared.settings import get_settings

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
broker = setup_broker(settings)
# The queue is declared even before its first actor, so the worker consumes it.
broker.declare_queue(MAIL_QUEUE)
