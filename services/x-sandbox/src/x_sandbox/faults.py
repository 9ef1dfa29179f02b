"""Faults a test injects: latency (``POST /2/tweets`` and the OAuth token requests),
scripted errors and real rate limits (``POST /2/tweets``), and scripted errors of the
media upload endpoints."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from x_sandbox.rate_limits import RateLimitRule

#: The scripted error that stands for X's duplicate-content refusal.
DUPLICATE = "duplicate"

ScriptedError = int | str

MAX_LATENCY_MS = 120_000


class FaultsError(ValueError):
    """A faults document the sandbox cannot apply."""


def _whole(value: object, name: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultsError(f"{name} must be a whole number from {low} to {high}")
    return value


def _seconds(value: object, name: str, *, positive: bool = False) -> float:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 <= value <= 86_400
        and not (positive and value == 0)
    ):
        return float(value)
    low = "more than 0" if positive else "from 0"
    raise FaultsError(f"{name} must be a number of seconds {low} up to 86400")


def _scripted(value: object) -> ScriptedError | None:
    if value is None:
        return None
    if value == DUPLICATE:
        return DUPLICATE
    if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599:
        return value
    raise FaultsError(
        f'next_errors holds HTTP statuses from 400 to 599, "{DUPLICATE}", or null (no error)'
    )


def _rule(value: object) -> RateLimitRule | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise FaultsError("rate_limit must be an object or null")
    unknown = set(value) - {"per_user", "per_app", "window_s"}
    if unknown:
        raise FaultsError(f"rate_limit has unknown fields: {sorted(unknown)}")
    per_app = value.get("per_app")
    return RateLimitRule(
        per_user=_whole(value.get("per_user", 1_000_000), "per_user", low=1, high=10**9),
        per_app=None if per_app is None else _whole(per_app, "per_app", low=1, high=10**9),
        window_s=_seconds(value.get("window_s", 900), "window_s", positive=True),
    )


@dataclass
class Faults:
    latency_ms: int = 0
    #: One per ``POST /2/tweets``, in order; None lets that post through.
    next_errors: deque[ScriptedError | None] = field(default_factory=deque)
    #: One per media upload request (initialize, append, finalize, status, metadata).
    next_media_errors: deque[ScriptedError | None] = field(default_factory=deque)
    reset_after_s: float = 2.0
    rate_limit: RateLimitRule | None = None

    def update(self, document: object) -> None:
        """Replace the fields ``document`` names; all or nothing."""
        if not isinstance(document, Mapping):
            raise FaultsError("faults must be a JSON object")
        known = {"latency_ms", "next_errors", "next_media_errors", "reset_after_s", "rate_limit"}
        unknown = set(document) - known
        if unknown:
            raise FaultsError(f"unknown fields: {sorted(unknown)}")
        latency_ms = self.latency_ms
        next_errors = self.next_errors
        next_media_errors = self.next_media_errors
        reset_after_s = self.reset_after_s
        rate_limit = self.rate_limit
        if "latency_ms" in document:
            latency_ms = _whole(document["latency_ms"], "latency_ms", low=0, high=MAX_LATENCY_MS)
        if "next_errors" in document:
            errors = document["next_errors"]
            if not isinstance(errors, list):
                raise FaultsError("next_errors must be a list")
            next_errors = deque(_scripted(e) for e in errors)
        if "next_media_errors" in document:
            errors = document["next_media_errors"]
            if not isinstance(errors, list):
                raise FaultsError("next_media_errors must be a list")
            next_media_errors = deque(_scripted(e) for e in errors)
        if "reset_after_s" in document:
            reset_after_s = _seconds(document["reset_after_s"], "reset_after_s")
        if "rate_limit" in document:
            rate_limit = _rule(document["rate_limit"])
        self.latency_ms = latency_ms
        self.next_errors = next_errors
        self.next_media_errors = next_media_errors
        self.reset_after_s = reset_after_s
        self.rate_limit = rate_limit

    def take_next_error(self) -> ScriptedError | None:
        """The scripted answer to this post, or None to post it as usual."""
        return self.next_errors.popleft() if self.next_errors else None

    def take_next_media_error(self) -> ScriptedError | None:
        """The scripted answer to this media upload request, or None to serve it."""
        return self.next_media_errors.popleft() if self.next_media_errors else None

    def as_json(self) -> dict[str, object]:
        return {
            "latency_ms": self.latency_ms,
            "next_errors": list(self.next_errors),
            "next_media_errors": list(self.next_media_errors),
            "reset_after_s": self.reset_after_s,
            "rate_limit": None if self.rate_limit is None else self.rate_limit.as_json(),
        }
