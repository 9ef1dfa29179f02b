"""What the domain refuses, said without HTTP: ``tweetnow.web.errors`` turns each into an answer.

Services raise these so the same rule reads the same from the JSON API and
from the pages, and so a rule can be tested without a request.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; the message is written for the person who sent it."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class Invalid(DomainError):
    """The input breaks a rule; ``field`` names the input at fault, when there is one."""

    def __init__(self, description: str, *, field: str | None = None) -> None:
        super().__init__(description)
        self.field = field


class NotFound(DomainError):
    """No such thing, or not the caller's: the two are not told apart."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No such {what}.")
        self.what = what


class Conflict(DomainError):
    """The thing exists but is in a state the request does not fit."""

    def __init__(self, title: str, description: str) -> None:
        super().__init__(description)
        self.title = title


class TooMany(DomainError):
    """A limit is reached; ``retry_after`` seconds from now the next one fits, when
    that is known (a rate), or None (room comes back as earlier work ends)."""

    def __init__(self, title: str, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.title = title
        self.retry_after = retry_after


class NotAuthenticated(DomainError):
    """The credentials sent do not (or no longer) name anyone."""


class TooLarge(DomainError):
    """The input is bigger than the rules allow."""


class Unsupported(DomainError):
    """The input is of a kind the rules do not take; ``allowed`` says which they do."""

    def __init__(self, description: str, *, allowed: str) -> None:
        super().__init__(description)
        self.allowed = allowed
