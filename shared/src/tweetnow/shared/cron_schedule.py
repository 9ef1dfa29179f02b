"""When a five-field cron schedule fires next, without periodiq (the web does not ship it).

Minute, hour, day of month, month, day of week; ``*``, ranges, lists,
``/steps``, month and day names, and the ``@hourly``-style shorthands, as
periodiq reads them. Day 7 and 0 are both Sunday; when both day fields are
restricted, either may match (cron's rule). Times are UTC here; periodiq uses
its process's local time zone, which is UTC in the images.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
#: A schedule that matches nothing within this many days never fires (e.g. 30 February).
HORIZON_DAYS = 366 * 5


def _value(token: str, names: list[str], offset: int) -> int:
    token = token.lower()
    if token in names:
        return names.index(token) + offset
    return int(token)


def _field(text: str, low: int, high: int, names: list[str] | None = None) -> frozenset[int]:
    names = names or []
    offset = low if names is not DAYS else 0
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {text!r}")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = _value(first, names, offset), _value(last, names, offset)
        else:
            start = _value(body, names, offset)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(f"{text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        text = SHORTHANDS.get(expression.strip().lower(), expression)
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(f"{expression!r} is not a five-field cron expression")
        minute, hour, day, month, weekday = fields
        weekdays = _field(weekday, 0, 7, DAYS)
        return cls(
            minutes=_field(minute, 0, 59),
            hours=_field(hour, 0, 23),
            days=_field(day, 1, 31),
            months=_field(month, 1, 12, MONTHS),
            weekdays=frozenset(d % 7 for d in weekdays),
            days_restricted=not day.startswith("*"),
            weekdays_restricted=not weekday.startswith("*"),
        )

    def _day_matches(self, when: datetime) -> bool:
        by_day = when.day in self.days
        by_weekday = (when.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday

    def next_after(self, after: datetime) -> datetime | None:
        """The first firing strictly after ``after`` (same time zone), or None."""
        when = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = after + timedelta(days=HORIZON_DAYS)
        while when <= limit:
            if when.month not in self.months:
                month_start = when.replace(day=1, hour=0, minute=0)
                when = (month_start + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(when):
                when = when.replace(hour=0, minute=0) + timedelta(days=1)
            elif when.hour not in self.hours:
                when = when.replace(minute=0) + timedelta(hours=1)
            elif when.minute not in self.minutes:
                when += timedelta(minutes=1)
            else:
                return when
        return None


def next_run(expression: str, after: datetime) -> datetime | None:
    return CronSchedule.parse(expression).next_after(after)
