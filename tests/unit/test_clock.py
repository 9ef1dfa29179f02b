"""A job's times are written as X writes them; the once-a-second shortcut must agree with
formatting a datetime, at every millisecond edge and across seconds."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from tweetnow.shared.clock import iso, iso_at


def test_iso_at_writes_what_iso_writes_for_the_same_instant() -> None:
    rng = random.Random(15)
    stamps = [rng.uniform(0, 4_102_444_800) for _ in range(20_000)]
    # Edges: whole seconds, a hair either side of a millisecond and of the next second.
    base = 1_796_000_000
    stamps += [base, base + 0.001, base + 0.0009999, base + 0.9994999, base + 0.9999996]
    stamps += [base + i / 1000 for i in range(2000)]
    for stamp in stamps:
        assert iso_at(stamp) == iso(datetime.fromtimestamp(stamp, UTC)), stamp


def test_iso_at_moves_on_with_the_second_it_is_given() -> None:
    assert iso_at(0.5) == "1970-01-01T00:00:00.500Z"
    assert iso_at(86_400.25) == "1970-01-02T00:00:00.250Z"
    assert iso_at(0.75) == "1970-01-01T00:00:00.750Z"
