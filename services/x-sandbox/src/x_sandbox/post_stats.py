"""Counts of ``POST /2/tweets`` outcomes, so tests can prove what a client did.

``middleware.PostStatsMiddleware`` counts every answer, whatever refused or
accepted the post: a bad signature, a rate limit, a scripted fault or X's
duplicate check.
"""

from __future__ import annotations

from collections import Counter


class PostStats:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self.attempted = 0
        self.created = 0
        self.errors_by_status: Counter[int] = Counter()

    def record(self, status: int) -> None:
        self.attempted += 1
        if status == 201:
            self.created += 1
        elif status >= 400:
            self.errors_by_status[status] += 1

    def as_json(self) -> dict[str, object]:
        return {
            "posts_attempted": self.attempted,
            "posts_created": self.created,
            "errors_by_status": {str(s): n for s, n in sorted(self.errors_by_status.items())},
        }

    def clear(self) -> None:
        self.attempted = 0
        self.created = 0
        self.errors_by_status.clear()
