"""The tweet-length rules for the page's script, generated from the server's own rules.

The compose page counts characters as X does while the person types. The
counting is written in JavaScript (static/tweet_length.js); the data it needs
(weights, the URL and emoji patterns) comes from the same twitter-text package
the server checks tweets with, so the page and the server cannot drift apart.
Python's regular expressions are rewritten into JavaScript's ``u`` syntax.
"""

from __future__ import annotations

import json
import re

from twitter_text.config import config
from twitter_text.regexp.emoji import emoji
from twitter_text.regexp.extract_url import extract_url
from twitter_text.regexp.invalid_chars import invalid_chars
from twitter_text.regexp.invalid_url_without_protocol_preceding_chars import (
    invalid_url_without_protocol_preceding_chars,
)
from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
from twitter_text.regexp.valid_tco_url import valid_tco_url

ASSET_NAME = "tweet_rules.js"

#: Escapes JavaScript accepts as they are in a ``u`` pattern.
_SYNTAX = set("^$\\.*+?()[]{}|/")
_CLASS_ESCAPES = set("dDwWsSbBnrtfv0")
_ESCAPE = re.compile(r"\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)


def _kept_as_is(escape: str, in_class: bool) -> bool:
    if escape[0] in "ux" and len(escape) > 1:
        return True  # \uXXXX, \xXX
    return escape in _SYNTAX or escape in _CLASS_ESCAPES or (escape == "-" and in_class)


def js_pattern(python_pattern: str) -> str:
    """A Python ``re`` pattern as the source of an equivalent JavaScript ``u`` pattern."""
    out: list[str] = []
    in_class = False
    pos = 0
    while pos < len(python_pattern):
        char = python_pattern[pos]
        if char != "\\":
            if char == "[" and not in_class:
                in_class = True
            elif char == "]" and in_class:
                in_class = False
            out.append(char)
            pos += 1
            continue
        escape = _ESCAPE.match(python_pattern, pos)
        assert escape is not None, f"a lone backslash at {pos}"
        body = escape.group(1)
        pos = escape.end()
        if body[0] == "U":
            code = int(body[1:], 16)
            # A literal character is shorter; ASCII stays escaped (it may be syntax).
            out.append(chr(code) if code > 0x7F else f"\\u{{{code:x}}}")
        elif _kept_as_is(body, in_class):
            out.append("\\" + body)
        elif body.isalnum():
            raise ValueError(f"no JavaScript equivalent for \\{body}")
        else:
            out.append(body)  # an identity escape of a character that is not syntax
    return "".join(out)


def _flags(pattern: re.Pattern[str]) -> str:
    return "iu" if pattern.flags & re.IGNORECASE else "u"


def rules() -> dict[str, object]:
    options = config["defaults"]
    patterns = {
        "url": extract_url,
        "asciiDomain": valid_ascii_domain,
        "tcoUrl": valid_tco_url,
        "invalidPrecedingUrl": invalid_url_without_protocol_preceding_chars,
        "emoji": emoji,
        "invalidChars": invalid_chars,
    }
    return {
        "maxWeightedLength": options["max_weighted_tweet_length"],
        "scale": options["scale"],
        "defaultWeight": options["default_weight"],
        "transformedUrlLength": options["transformed_url_length"],
        "emojiParsingEnabled": options["emoji_parsing_enabled"],
        "ranges": options["ranges"],
        "maxUrlLength": 4096,
        "maxTcoSlugLength": 40,
        "patterns": {
            name: {"source": js_pattern(p.pattern), "flags": _flags(p)}
            for name, p in patterns.items()
        },
    }


def tweet_rules_js() -> bytes:
    data = json.dumps(rules(), ensure_ascii=False, separators=(",", ":"))
    return (
        "/* Generated from twitter-text, the rules the server checks tweets with. */\n"
        f"(window.tweetnow = window.tweetnow || {{}}).tweetRules = {data};\n"
    ).encode()
