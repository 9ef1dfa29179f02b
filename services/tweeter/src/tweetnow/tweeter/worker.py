"""``tweetnow-tweeter``: a Dramatiq worker that consumes only the tweets queue."""

from __future__ import annotations

from tweetnow.shared.messages import TWEETS_QUEUE
from tweetnow.shared.worker_cli import run_worker


def main() -> None:
    run_worker("tweetnow.tweeter.actors", [TWEETS_QUEUE])
