"""twitter-text, imported without setuptools' ``pkg_resources``.

twitter-text-parser reads its emoji list with ``pkg_resources.resource_string``
while it is imported, and that is its only use of ``pkg_resources``. Importing
``pkg_resources`` scans every installed distribution: about 3 MiB in each web
process and a tenth of a second at start, and setuptools 81 removed it. So the
web package imports twitter-text once, first, with a stand-in that reads the
file beside the module, and only for the length of that import: whatever
imports ``pkg_resources`` later gets the real one, if it is installed.

That module also keeps, for the life of the process, everything it built its
emoji pattern from: the whole file as text (1.5 MB) and about 4,000 parsed
entries, twice. Nothing reads them after the import (only the pattern, ``emoji``,
is used), so they are dropped: 3 MiB less in every web process.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

#: The module that reads a data file through ``pkg_resources`` when imported.
READS_DATA = "twitter_text.regexp.emoji"
#: What READS_DATA builds its ``emoji`` pattern from, and never reads afterwards.
PATTERN_SOURCES = (
    "emoji_raw",
    "emoji_list",
    "emoji_dict",
    "multi_codepoint_emoji_joined",
    "single_codepoint_emoji",
    "single_codepoint_emoji_int",
    "single_codepoint_emoji_ranges",
    "single_codepoint_emoji_raw",
    "code",
    "temp_regex",
)


def _resource_string(module_name: str, resource: str) -> bytes:
    """The bytes of ``resource`` in the directory of module ``module_name``."""
    module_file = sys.modules[module_name].__file__
    if module_file is None:
        raise FileNotFoundError(f"{module_name} has no file to read {resource} beside")
    return (Path(module_file).parent / resource).read_bytes()


def import_twitter_text() -> None:
    """Import twitter-text (once per process): its data read without ``pkg_resources``,
    and what it built its emoji pattern from dropped."""
    if READS_DATA in sys.modules:
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = _resource_string  # type: ignore[attr-defined]
    missing = object()
    real = sys.modules.get("pkg_resources", missing)
    sys.modules["pkg_resources"] = stand_in
    try:
        importlib.import_module("twitter_text")
    finally:
        if real is missing:
            del sys.modules["pkg_resources"]
        else:
            sys.modules["pkg_resources"] = real  # type: ignore[assignment]
    emoji_module = vars(sys.modules[READS_DATA])
    for name in PATTERN_SOURCES:
        emoji_module.pop(name, None)
