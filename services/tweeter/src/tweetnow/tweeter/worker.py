"""``tweetnow-tweeter``: a Dramatiq worker for the tweets and periodic queues only."""

from __future__ import annotations

from tweetnow.shared.messages import TWEETS_QUEUE
from tweetnow.shared.periodic import PERIODIC_QUEUE
from tweetnow.shared.worker_cli import run_worker


def main() -> None:
    run_worker("tweetnow.tweeter.actors", [TWEETS_QUEUE, PERIODIC_QUEUE])
