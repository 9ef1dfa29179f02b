"""The web app starts without the libraries only some routes use: each is imported by
the first request that needs it, so a gunicorn worker that serves none of those
requests never holds them (about 19 MiB of the worker's memory).

Each case runs in a new interpreter: whether a module was imported is a fact of
the whole process, and this test process has imported all of them long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tweetnow.shared.settings import is_fernet_key

#: Library, and the requests that import it.
DEFERRED = {
    "PIL": "image uploads",
    "tweepy": "sign-in with X",
    "requests": "sign-in with X",
    "requests_oauthlib": "sign-in with X (OAuth 1.0a)",
    "oauthlib": "sign-in with X",
    "cryptography.fernet": "sign-in, webhooks' secrets: what reads or writes a token",
    "cryptography.hazmat": "the same",
    "pendulum": "the admin's recurring jobs",
    "periodiq": "the admin's recurring jobs",
}

PROBE = """
import json, sys
from tweetnow.web.app import get_app
get_app()
{after}
print(json.dumps(sorted(m for m in {deferred} if m in sys.modules)))
"""


def loaded_after(after: str = "") -> list[str]:
    """Which of DEFERRED a new interpreter holds after building the app, then ``after``."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(after=after, deferred=sorted(DEFERRED))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_app_starts_without_the_libraries_of_occasional_requests() -> None:
    assert loaded_after() == []


def test_the_probe_sees_a_library_once_something_needs_it() -> None:
    """The same probe, after an upload's image check and a token's encryption."""
    after = """
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.settings import DEV_ENCRYPTION_KEY
from tweetnow.web.domain.errors import Unsupported
from tweetnow.web.domain.media import read_image
box = SecretBox((DEV_ENCRYPTION_KEY,))
assert box.decrypt(box.encrypt("token")) == "token"
try:
    read_image(b"not an image")
except Unsupported:
    pass
"""
    assert set(loaded_after(after)) >= {"PIL", "cryptography.fernet", "cryptography.hazmat"}


@pytest.mark.parametrize(
    "key",
    [
        Fernet.generate_key().decode(),
        "OnBvkl43Gzsm2jiU0MvDNgswFitQQxiHyG6HP97SK9Q=",
        "OnBvkl43Gzsm2jiU0MvDNgswFitQQxiHyG6HP97SK9Q",  # padding missing
        "OnBvkl43Gzsm2jiU0MvDNgswFitQQxiHyG6HP97SK9",  # one character short
        "OnBvkl43Gzsm2jiU0MvDNgswFitQQxiHyG6HP97SK9Q=AAAA",  # 35 bytes
        "OnBvkl43Gzsm2jiU0MvD*NgswFitQQxiHyG6HP97SK9Q=",  # a stray character, skipped
        "c2hvcnQ=",
        "",
        "é" * 44,
        "not a key at all",
    ],
)
def test_the_start_up_key_check_agrees_with_fernet(key: str) -> None:
    """Settings check ENCRYPTION_KEYS without cryptography; Fernet is the judge."""
    try:
        Fernet(key.encode())
        fernet_takes_it = True
    except ValueError:
        fernet_takes_it = False
    assert is_fernet_key(key) is fernet_takes_it
