"""The web imports twitter-text without setuptools' pkg_resources (twitter_text_import).

Each case runs in a new interpreter: whether a module was imported is a fact of
the whole process, and this test process has imported the web long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
{before}
import tweetnow.web.app
from tweetnow.web.tweet_text import weighted_length
import tweetnow.web.pages.tweet_rules
from tweetnow.web.twitter_text_import import PATTERN_SOURCES, READS_DATA
emoji_module = vars(sys.modules[READS_DATA])
loaded = sys.modules.get("pkg_resources")
print(json.dumps({{
    "pkg_resources": None if loaded is None else type(loaded).__name__,
    "real": getattr(loaded, "__file__", None) is not None,
    "emoji_weight": weighted_length("\\U0001F600"),
    "text_weight": weighted_length("caf\\u00e9 https://example.com/a"),
    "kept": sorted(set(PATTERN_SOURCES) & set(emoji_module)),
    "pattern": type(emoji_module.get("emoji")).__name__,
}}))
"""


def probe(before: str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(before=before)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_web_loads_twitter_text_without_pkg_resources() -> None:
    found = probe()
    assert found["pkg_resources"] is None
    # The emoji list the stand-in read is the one that makes an emoji weigh two.
    assert found["emoji_weight"] == 2
    assert found["text_weight"] == 5 + 23


def test_what_the_emoji_pattern_was_built_from_is_not_kept() -> None:
    found = probe()
    assert found["kept"] == []
    assert found["pattern"] == "Pattern"
    # The pattern alone still weighs an emoji as two characters.
    assert found["emoji_weight"] == 2


def test_a_real_pkg_resources_imported_before_is_left_in_place() -> None:
    found = probe("import pkg_resources")
    assert found["pkg_resources"] == "module"
    assert found["real"] is True
    assert found["emoji_weight"] == 2
