"""A tweet's status in words; static/tweet_progress.js uses the same words."""

from __future__ import annotations

STATUS_WORDS = {
    "scheduled": "Scheduled",
    "queued": "Queued",
    "sending": "Sending to X…",
    "held": "Held: reconnect needed",
    "sent": "Sent",
    "failed": "Failed",
    "canceled": "Canceled",
}
