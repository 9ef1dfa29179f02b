"""How rows and job records are shown to API clients."""

from __future__ import annotations

from tweetnow.shared.clock import iso
from tweetnow.shared.jobs import JobRecord
from tweetnow.shared.models import Tweet
from tweetnow.shared.settings import Settings


def job_url(job_id: str) -> str:
    return f"/api/jobs/{job_id}"


def tweet_json(tweet: Tweet, settings: Settings) -> dict[str, object]:
    url = None
    if tweet.x_tweet_id:
        url = f"{settings.x_web_base_url}/{tweet.user.username}/status/{tweet.x_tweet_id}"
    return {
        "id": tweet.id,
        "text": tweet.text,
        "status": tweet.status,
        "x_tweet_id": tweet.x_tweet_id,
        "url": url,
        "error": tweet.error,
        "created_at": iso(tweet.created_at),
        "sent_at": iso(tweet.sent_at),
        "send_at": iso(tweet.send_at),
        "job_id": tweet.job_id,
    }


def job_json(record: JobRecord) -> dict[str, object]:
    data = record.public()
    for internal in ("actor", "queue"):
        data.pop(internal, None)
    return data
