"""Settings from the environment, tweet-length rules, and the OpenAPI document."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tweetnow.shared.settings import Settings
from tweetnow.web.app import page_assets, route_table
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.middleware.metrics import RequestMetrics
from tweetnow.web.pages.templating import PageTemplates
from tweetnow.web.sessions import SessionManager
from tweetnow.web.tweet_text import weighted_length

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_work_for_local_development():
    s = Settings.from_env({})
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert s.database_url.startswith("sqlite:///")
    assert s.x_api_base_url == s.x_authorize_base_url == "http://127.0.0.1:8081"
    assert s.oauth_callback_url == "http://127.0.0.1:8000/auth/x/callback"
    assert s.cookie_secure is False
    assert s.post_lease_s == 25.0


def test_https_public_url_makes_cookies_secure():
    s = Settings.from_env(
        {"PUBLIC_BASE_URL": "https://tweetnow.example/", "SECRET_KEY": "a real secret"}
    )
    assert s.cookie_secure is True
    assert s.oauth_callback_url == "https://tweetnow.example/auth/x/callback"


def test_a_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="WEB_PORT must be an integer, got 'eighty'"):
        Settings.from_env({"WEB_PORT": "eighty"})


def test_admins_are_listed_by_x_user_id():
    s = Settings.from_env({"ADMIN_X_USER_IDS": " 12, 3456 ,"})
    assert s.admin_x_user_ids == ("12", "3456")
    assert Settings.from_env({}).admin_x_user_ids == ()


def test_a_handle_in_the_admin_ids_is_refused():
    with pytest.raises(ValueError, match="ADMIN_X_USER_IDS must list numeric X user ids"):
        Settings.from_env({"ADMIN_X_USER_IDS": "12,@opsadmin"})


def test_the_old_admin_handles_setting_is_refused_and_names_its_replacement():
    with pytest.raises(ValueError, match=r"ADMIN_X_USERNAMES is no longer read.*ADMIN_X_USER_IDS"):
        Settings.from_env({"ADMIN_X_USERNAMES": "opsadmin"})


@pytest.mark.parametrize(
    ("text", "length"),
    [("hello", 5), ("https://example.com/a/very/long/path/indeed", 23), ("😀", 2), ("日本", 4)],
)
def test_weighted_length_follows_x(text, length):
    assert weighted_length(text) == length


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_openapi_documents_exactly_the_route_tables_operations_and_refs_resolve(client, deps):
    doc = client.simulate_get("/openapi.json").json
    assets = page_assets()
    routes = route_table(
        deps,
        SessionManager(deps.settings),
        RequestMetrics(),
        TokenService(),
        assets,
        PageTemplates(assets),
    )
    declared = {
        (re.sub(r"{(\w+):\w+}", r"{\1}", route.path), method)
        for route in routes
        for method in route.operations
    }
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert documented == declared
    schemas = doc["components"]["schemas"]
    assert set(schemas["TweetCreate"]["properties"]) >= {"text", "thread", "media_ids"}
    assert schemas["TweetCreate"]["additionalProperties"] is False
    for ref in _refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    assert set(doc["paths"]) >= {"/api/tweets", "/api/jobs/{job_id}", "/api/tokens", "/api/media"}


#: Builds the app as gunicorn does and writes its /openapi.json to the file argv[1].
WRITE_THE_API_DOCUMENT = (
    "import io, sys\n"
    "import tweetnow.web.app as app\n"
    "environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/openapi.json', 'QUERY_STRING': '',\n"
    "    'SERVER_NAME': 'localhost', 'SERVER_PORT': '8000', 'SERVER_PROTOCOL': 'HTTP/1.1',\n"
    "    'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(), 'wsgi.errors': sys.stderr}\n"
    "answer = []\n"
    "body = b''.join(app.get_app()(environ, lambda status, headers: answer.append(status)))\n"
    "if answer != ['200 OK']:\n"  # not an assert: -OO would drop it
    "    sys.exit(f'GET /openapi.json answered {answer}')\n"
    "open(sys.argv[1], 'wb').write(body)\n"
)


def test_the_api_document_is_the_same_under_python_oo_as_the_images_run_it(tmp_path):
    """The images run Python with -OO, which drops docstrings: nothing the document says
    may come from one (msgspec describes a schema with its struct's docstring)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"}
    documents = []
    for flags in ([], ["-OO"]):
        written = tmp_path / f"openapi{''.join(flags)}.json"
        subprocess.run(
            [sys.executable, *flags, "-c", WRITE_THE_API_DOCUMENT, str(written)],
            env=env,
            capture_output=True,
            check=True,
        )
        documents.append(json.loads(written.read_bytes()))
    plain, optimized = documents
    assert plain["components"]["schemas"]["Job"]["description"].startswith("A job as its owner")
    assert optimized == plain


def test_importing_the_services_reads_no_configuration():
    """Settings are read when a process starts, never as a side effect of an import:
    with every retry setting unreadable, importing every worker module still works."""
    modules = [
        f"tweetnow.{package}.{path.stem}"
        for package in ("shared", "tweeter", "mailer")
        for path in (ROOT / ("shared" if package == "shared" else f"services/{package}")).glob(
            f"src/tweetnow/{package}/*.py"
        )
        if path.stem != "__init__"
    ]
    env = {**os.environ, "TWEET_MAX_RETRIES": "many", "MAIL_MAX_RETRIES": "many"}
    code = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)"
    done = subprocess.run(
        [sys.executable, "-c", code, *modules], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert len(modules) > 30


def test_webhook_retries_reach_about_three_days_and_tests_may_shorten_them():
    default = Settings.from_env({})
    assert 3 * 86400 <= sum(default.webhook_retry_delays_s) <= 4 * 86400
    assert default.webhook_disable_after_s == 3 * 86400
    assert default.webhook_allow_private is False
    fast = Settings.from_env({"WEBHOOK_RETRY_DELAYS_S": "0.5, 1,2"})
    assert fast.webhook_retry_delays_s == (0.5, 1.0, 2.0)
    with pytest.raises(ValueError, match="WEBHOOK_RETRY_DELAYS_S must be seconds"):
        Settings.from_env({"WEBHOOK_RETRY_DELAYS_S": "5,soon"})
    with pytest.raises(ValueError, match="0 seconds or more"):
        Settings.from_env({"WEBHOOK_RETRY_DELAYS_S": "5,-1"})
