"""What one soak run does: how long, how hard, how many people, how it is judged."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


def seconds(text: str) -> float:
    """``"10m"``, ``"60s"``, ``"1h"`` or a bare number of seconds, in seconds."""
    found = _DURATION.match(text)
    if not found:
        raise ValueError(f"not a duration: {text!r} (say 60s, 10m or 1h)")
    value = float(found.group(1)) * _UNIT_S[found.group(2) or "s"]
    if value <= 0:
        raise ValueError(f"a duration must be above 0, not {text!r}")
    return value


@dataclass(frozen=True)
class SoakPlan:
    #: seconds of load in all, warm-up included
    duration_s: float
    #: the first seconds of it, after which memory must stop growing
    warmup_s: float
    #: requests a second, all users together
    rate: float
    #: locust users, each signed in as a person of its own
    users: int
    #: seconds per row of the report's table
    interval_s: float
    #: seconds between samples of queue depths and container memory
    sample_every_s: float
    #: the largest growth of a judged container's memory after the warm-up, in %
    max_growth_pct: float
    #: the largest share of requests that may fail (any answer but the expected one)
    max_error_rate: float

    @classmethod
    def from_knobs(
        cls,
        *,
        duration: str,
        warmup: str = "",
        rate: float = 40.0,
        users: int = 40,
        sample_every: str = "5s",
        max_growth_pct: float = 10.0,
        max_error_rate: float = 0.001,
    ) -> SoakPlan:
        """The plan from ``make soak``'s knobs; an empty ``warmup`` is a fifth of the run
        (2 minutes of 10), and the table has ten rows of at least 10 s."""
        duration_s = seconds(duration)
        warmup_s = seconds(warmup) if warmup.strip() else duration_s / 5
        if warmup_s >= duration_s:
            raise ValueError(f"the warm-up ({warmup}) must end before the run does ({duration})")
        if rate <= 0 or users <= 0:
            raise ValueError("the rate and the number of users must be above 0")
        return cls(
            duration_s=duration_s,
            warmup_s=warmup_s,
            rate=rate,
            users=users,
            interval_s=max(10.0, round(duration_s / 10 / 10) * 10),
            sample_every_s=seconds(sample_every),
            max_growth_pct=max_growth_pct,
            max_error_rate=max_error_rate,
        )

    def as_json(self) -> dict[str, float]:
        return asdict(self)
