"""Times on the pages in the person's own time zone (stored on the account, an IANA name).

The browser sets the zone on the first visit (``static/time_zone.js``); the
Account page changes it. Until it is set, times show in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from tweetnow.shared.models import User

#: Every zone the account page offers, sorted (UTC first).
ZONE_CHOICES: tuple[str, ...] = ("UTC", *sorted(z for z in available_timezones() if z != "UTC"))


def zone_of(user: User | None) -> str:
    """The person's time zone, or UTC until their browser has set one."""
    return (user.time_zone if user is not None else None) or "UTC"


def local_time(value: str | datetime | None, zone: str) -> str:
    """An instant as people read it in ``zone``: "Tue 24 Nov 2026, 09:00 CET"."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def local_input_values(value: str | None, zone: str) -> tuple[str, str]:
    """``(date, time)`` for an ``<input type=date>`` and ``<input type=time>`` in ``zone``."""
    if not value:
        return "", ""
    local = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d}", f"{local:%H:%M}"
