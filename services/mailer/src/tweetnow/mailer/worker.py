"""The mailer worker service: ``tweetnow-mailer`` consumes the mail and webhooks queues.

Webhook deliveries live here beside mail: both are notices sent out of the
system to an address a person gave, over a slow network, with retries.
"""

from __future__ import annotations

from tweetnow.shared.messages import MAIL_QUEUE, WEBHOOKS_QUEUE
from tweetnow.shared.worker import WorkerRuntime, WorkerService, run_worker
from tweetnow.shared.worker import boot as boot_service

from .delivery import declare_send_mail
from .webhook_delivery import declare_deliver_webhook


def declare_actors(runtime: WorkerRuntime) -> None:
    declare_send_mail(runtime)
    declare_deliver_webhook(runtime)


MAILER = WorkerService(
    queues=(MAIL_QUEUE, WEBHOOKS_QUEUE),
    boot_function="tweetnow.mailer.worker:boot",
    declare_actors=declare_actors,
)


def boot() -> None:
    """Set up one mailer process (Dramatiq calls this in each process it starts)."""
    boot_service(MAILER)


def main() -> None:
    run_worker(MAILER)
