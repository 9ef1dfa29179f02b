"""Tweet text rules, as X counts them (twitter-text's weighted length)."""

from __future__ import annotations

import re

from twitter_text import parse_tweet

from .domain.errors import Invalid

MAX_WEIGHTED_LENGTH = 280
_DOT_LETTER = re.compile(r"\.[A-Za-z]")


def weighted_length(text: str) -> int:
    return _counted(text)[0]


def _counted(text: str) -> tuple[int, bool]:
    """X's weighted length of ``text``, and whether its characters are all allowed.

    Most tweets are plain ASCII without a link, and parsing them (a search for links
    and for emoji with regular expressions of a few hundred kilobytes) is most of the
    cost of accepting one. Every ASCII character weighs one and none is an emoji or a
    character X refuses, and a link needs a dot followed by a letter (its top-level
    domain): such a text's length is its length. Except for a carriage return, since
    X counts a CRLF as one character.
    """
    if text.isascii() and "\r" not in text and not _DOT_LETTER.search(text):
        return len(text), True
    result = parse_tweet(text)
    return result.weightedLength, result.valid


def check_tweet_text(text: str) -> str:
    """The text if X would accept its length and characters; else Invalid saying why."""
    if not text.strip():
        raise Invalid("`text` is empty: write something to tweet.", field="text")
    length, valid = _counted(text)
    if length > MAX_WEIGHTED_LENGTH:
        raise Invalid(
            f"`text` is {length} characters by X's count (a link counts 23, "
            f"an emoji 2); the limit is {MAX_WEIGHTED_LENGTH}.",
            field="text",
        )
    if not valid:
        raise Invalid("`text` has characters X does not accept.", field="text")
    return text
