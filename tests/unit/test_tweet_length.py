"""X's weighted length of a tweet: the shortcut for plain ASCII that cannot hold a link (no
dot followed by a letter) gives what twitter-text's parser gives, and everything else
still goes through the parser."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from tweetnow.web.domain.errors import Invalid
from tweetnow.web.tweet_text import check_tweet_text, weighted_length

# Pieces that look like links, emoji or keycaps to a parser, with no dot before a letter
# (and no carriage return: X counts a CRLF as one, so those texts go to the parser).
NEAR_MISSES = [
    "http://", "https://x", "t co/", "www", "www.", "#", "*", "1", ":)", "<3", "@x", "$X",
    "1.5", "v2.0", "192.168.0.1", "http://10.0.0.1/x", "https://127.0.0.1:8000", "...", ". ",
    "example.", "x.1", "a.-b", "a._b", "#1.", "*.", "\n",
]  # fmt: skip
ascii_without_dot_letter = (
    st.lists(
        st.one_of(
            st.sampled_from(NEAR_MISSES),
            st.text(alphabet=st.characters(max_codepoint=127), max_size=20),
        ),
        max_size=30,
    )
    .map("".join)
    .filter(lambda t: not re.search(r"\.[A-Za-z]", t) and "\r" not in t)
)


@settings(max_examples=1500, deadline=None)
@given(ascii_without_dot_letter)
def test_plain_ascii_that_cannot_hold_a_link_counts_as_the_parser_counts(text: str) -> None:
    parsed = parse_tweet(text)
    assert weighted_length(text) == parsed.weightedLength == len(text)
    assert parsed.valid or not text or parsed.weightedLength > 280


@pytest.mark.parametrize(
    "text, length",
    [
        ("see https://example.com/a/very/long/path/that/is/counted/as/twenty/three", 27),
        ("example.com", 23),
        ("bench 1.5 then x.co", 38),
        ("caf\u00e9", 4),
        ("\u3053\u3093\u306b\u3061\u306f", 10),  # each CJK character weighs two
        ("\U0001f600", 2),  # an emoji counts two
    ],
)
def test_links_emoji_and_wide_characters_still_count_as_x_counts(text: str, length: int) -> None:
    assert weighted_length(text) == length == parse_tweet(text).weightedLength


def test_the_limit_and_refused_characters_are_the_same_either_way() -> None:
    assert check_tweet_text("a" * 280) == "a" * 280
    with pytest.raises(Invalid, match="281 characters"):
        check_tweet_text("a" * 281)
    with pytest.raises(Invalid, match="281 characters"):
        check_tweet_text("a" * 257 + " example.com")  # 257 + 1 + 23 for the link
    with pytest.raises(Invalid, match="does not accept"):
        check_tweet_text("hello \ufffe")


def test_every_pair_of_ascii_characters_counts_as_the_parser_counts() -> None:
    for a in range(128):
        for b in range(128):
            text = chr(a) + chr(b)
            assert weighted_length(text) == parse_tweet(text).weightedLength, repr(text)


@pytest.mark.parametrize(
    "text, length",
    [("line one\r\nline two", 17), ("a\rb", 3), ("a\nb", 3)],
)
def test_a_crlf_counts_as_one_character_as_x_counts_it(text: str, length: int) -> None:
    assert weighted_length(text) == length == parse_tweet(text).weightedLength
