"""Exceptions that steer how the consumer side treats a failed job."""

from __future__ import annotations


class PoisonMessage(Exception):
    """The message's payload does not match its contract: dead-letter it at once."""


class PermanentFailure(Exception):
    """The work can never succeed (e.g. X refused the content): fail, never retry."""
