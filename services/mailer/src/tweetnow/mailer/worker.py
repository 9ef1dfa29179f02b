"""The mailer worker service: ``tweetnow-mailer`` consumes only the mail queue."""

from __future__ import annotations

from tweetnow.shared.messages import MAIL_QUEUE
from tweetnow.shared.worker import WorkerService, run_worker
from tweetnow.shared.worker import boot as boot_service

from .delivery import declare_send_mail

MAILER = WorkerService(
    queues=(MAIL_QUEUE,),
    boot_function="tweetnow.mailer.worker:boot",
    declare_actors=declare_send_mail,
)


def boot() -> None:
    """Set up one mailer process (Dramatiq calls this in each process it starts)."""
    boot_service(MAILER)


def main() -> None:
    run_worker(MAILER)
