"""Time in one convention: timezone-aware UTC in code, naive UTC in the database."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(value: datetime) -> datetime:
    """Naive UTC, the form stored in every DateTimeField."""
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with milliseconds and a Z, the way X writes times."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: The last whole second :func:`iso_at` formatted, and its text.
_second: tuple[int, str] = (-1, "")


def iso_at(timestamp: float) -> str:
    """``iso`` of a Unix time, formatting the date and time of day once a second: a job's
    start and end each need one, where building a datetime cost more than the rest."""
    global _second
    seconds = int(timestamp)
    micros = round((timestamp - seconds) * 1_000_000)  # as datetime rounds a timestamp
    if micros == 1_000_000:
        seconds, micros = seconds + 1, 0
    cached_second, text = _second
    if cached_second != seconds:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = (seconds, text)
    return f"{text}.{micros // 1000:03d}Z"
