"""What the web's workers hold: the app, built as gunicorn builds it, imports no HTTP
client library and no scheduler (sign-in calls X with the standard library; periodiq
is imported by the one admin page that shows next runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

#: Packages the web's workers must not load at start (each one is memory in every worker).
NOT_IN_THE_WEB = ("requests", "urllib3", "tweepy", "requests_oauthlib", "periodiq", "pendulum")

BUILD_AND_LIST = (
    "import json, sys\n"
    "import tweetnow.web.app as app\n"
    "app.get_app()\n"
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def test_the_built_app_imports_no_http_client_library_and_no_scheduler(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"}
    found = subprocess.run(
        [sys.executable, "-c", BUILD_AND_LIST], env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(found.stdout.splitlines()[-1]))
    assert "falcon" in loaded  # the app was built
    assert loaded.isdisjoint(NOT_IN_THE_WEB), loaded & set(NOT_IN_THE_WEB)
