"""``tweetnow-mailer``: a Dramatiq worker that consumes only the mail queue."""

from __future__ import annotations

from tweetnow.shared.messages import MAIL_QUEUE
from tweetnow.shared.worker_cli import run_worker


def main() -> None:
    run_worker("tweetnow.mailer.actors", [MAIL_QUEUE])
