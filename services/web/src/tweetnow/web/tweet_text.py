"""Tweet text rules, as X counts them (twitter-text's weighted length)."""

from __future__ import annotations

from twitter_text import parse_tweet

from .domain.errors import Invalid

MAX_WEIGHTED_LENGTH = 280


def weighted_length(text: str) -> int:
    return parse_tweet(text).weightedLength


def check_tweet_text(text: str) -> str:
    """The text if X would accept its length and characters; else Invalid saying why."""
    if not text.strip():
        raise Invalid("`text` is empty: write something to tweet.", field="text")
    result = parse_tweet(text)
    if result.weightedLength > MAX_WEIGHTED_LENGTH:
        raise Invalid(
            f"`text` is {result.weightedLength} characters by X's count (a link counts 23, "
            f"an emoji 2); the limit is {MAX_WEIGHTED_LENGTH}.",
            field="text",
        )
    if not result.valid:
        raise Invalid("`text` has characters X does not accept.", field="text")
    return text
