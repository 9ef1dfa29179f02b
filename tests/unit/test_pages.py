"""The pages in-process: what they show, their security and caching headers, static
files, the page script's tweet count against the server's, and the API pieces the
pages need (retry a failed tweet, the account's address for notices).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from datetime import timedelta
from importlib.resources import files

import falcon
import falcon.testing
import jinja2
import pytest
import redis

from tests.support.accounts import make_user
from tests.support.web_api import QUEUE_KEY, bearer, queued_job_ids
from tests.support.web_browser import (
    IMMUTABLE,
    Browser,
    assert_no_inline_script_or_style,
    assert_security_headers,
    session_cookies,
)
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import ApiToken, Tweet, TweetStatus, User
from tweetnow.shared.settings import Settings
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.pages.static_assets import StaticAssets
from tweetnow.web.pages.tweet_rules import js_pattern, tweet_rules_js
from tweetnow.web.sessions import CSRF_COOKIE, SESSION_COOKIE
from tweetnow.web.tweet_text import weighted_length


@pytest.fixture
def ada(deps: WebDeps) -> User:
    return make_user(deps.box, "ada")


@pytest.fixture
def browser(client, deps, ada) -> Browser:
    return Browser(client, session_cookies(deps, ada))


def add_tweet(user: User, text: str, status: str = TweetStatus.QUEUED, **fields) -> Tweet:
    return Tweet.create(user=user, text=text, status=status, job_id=f"job-{text}", **fields)


# --- pages ------------------------------------------------------------------


def test_landing_page_when_signed_out(client, db):
    r = client.simulate_get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    assert_security_headers(r.headers)
    assert '<a class="button" href="/auth/x/login">Sign in with X</a>' in r.text
    assert "Sign out" not in r.text
    assert_no_inline_script_or_style(r.text)


def test_landing_page_says_when_sign_in_was_canceled(client, db):
    r = client.simulate_get("/", params={"signin": "denied"})
    assert "Signing in was canceled on X" in r.text


@pytest.mark.parametrize("path", ["/tweets", "/account"])
def test_signed_out_pages_send_people_to_the_landing_page(client, db, path):
    r = client.simulate_get(path)
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_an_api_token_does_not_open_the_pages(client, alice):
    _, token = alice
    r = client.simulate_get("/tweets", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 303


def test_compose_page_when_signed_in(browser):
    r = browser.get("/")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert_security_headers(r.headers)
    html = r.text
    assert "What's happening, @ada?" in html
    assert '<label for="tweet-text">Your tweet</label>' in html
    assert 'aria-current="page">Compose</a>' in html
    # Sign out is a form POST carrying the session's CSRF token.
    token = browser.cookies[CSRF_COOKIE]
    assert '<form class="signout" method="post" action="/auth/logout">' in html
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in html
    assert 'role="alert"' in html and 'aria-live="polite"' in html
    assert_no_inline_script_or_style(html)
    for name in ("api", "tweet_rules", "tweet_length", "tweet_progress", "compose"):
        assert re.search(rf'src="/static/{name}\.[0-9a-f]{{12}}\.js" defer', html), name


def test_every_static_url_a_page_names_is_served_for_a_year(browser):
    for page in ("/", "/tweets", "/account"):
        html = browser.get(page).text
        urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert urls, page
        for url in urls:
            r = browser.client.simulate_get(url)
            assert r.status_code == 200, url
            assert r.headers["cache-control"] == IMMUTABLE, url


def test_my_tweets_newest_first_with_status_link_reason_and_retry(browser, deps, ada, bob):
    add_tweet(ada, "first", TweetStatus.SENT, x_tweet_id="1001", sent_at=to_db(utcnow()))
    add_tweet(ada, "second", TweetStatus.FAILED, error="X refused the tweet: <Forbidden>")
    add_tweet(ada, "third", TweetStatus.QUEUED, error="X is having trouble (503); retrying")
    add_tweet(bob[0], "not ada's")
    r = browser.get("/tweets")
    assert r.status_code == 200
    html = r.text
    assert "not ada&#39;s" not in html and "not ada's" not in html
    items = html.split('<li class="tweet"')[1:]
    third, second, first = items
    assert ">third<" in third and ">second<" in second and ">first<" in first
    assert "badge-sent" in first
    assert f'href="{deps.settings.x_web_base_url}/ada/status/1001">View on X</a>' in first
    assert ">Failed</span>" in second
    assert "X refused the tweet: &lt;Forbidden&gt;" in second  # escaped
    assert 'data-action="retry"' in second
    assert 'data-status="queued"' in third and 'data-job-id="job-third"' in third
    assert "Trying again: X is having trouble" in third
    assert 'data-action="retry"' not in third + first
    assert_no_inline_script_or_style(html)


def test_my_tweets_pages_through_older_tweets(browser, ada):
    for i in range(25):
        add_tweet(ada, f"tweet {i:02d}")
    first = browser.get("/tweets").text
    assert "tweet 24" in first and "tweet 05" in first and "tweet 04" not in first
    older = re.search(r'href="(/tweets\?before=\d+)">Older tweets', first).group(1)
    second = browser.get(older.split("?")[0], query_string=older.split("?")[1]).text
    assert "tweet 04" in second and "tweet 00" in second and "tweet 05" not in second
    assert "Older tweets" not in second


def test_my_tweets_pages_through_scheduled_tweets_soonest_first(browser, ada):
    start = utcnow() + timedelta(days=3)
    for i in range(23):
        add_tweet(
            ada, f"later {i:02d}", TweetStatus.SCHEDULED, send_at=to_db(start + timedelta(hours=i))
        )
    # Two more at the same moment as the 20th: the page boundary falls among them, by id.
    for name in ("tie a", "tie b"):
        add_tweet(ada, name, TweetStatus.SCHEDULED, send_at=to_db(start + timedelta(hours=19)))
    add_tweet(ada, "posted one", TweetStatus.SENT)
    first = browser.get("/tweets").text
    soonest = first.split('id="scheduled-list"')[1].split("</ol>")[0]
    assert soonest.count('class="tweet scheduled-tweet"') == 20
    assert soonest.index("later 00") < soonest.index("later 18") < soonest.index("later 19")
    assert "tie a" not in soonest and "later 20" not in soonest
    assert "posted one" in first  # the others still follow on the first page
    later = re.search(r'href="(/tweets\?scheduled_after=\d+)">Later scheduled tweets', first).group(
        1
    )
    path, query = later.split("?")
    second = browser.get(path, query_string=query).text
    rest = second.split('id="scheduled-list"')[1].split("</ol>")[0]
    assert rest.count('class="tweet scheduled-tweet"') == 5
    assert (
        rest.index("tie a") < rest.index("tie b") < rest.index("later 20") < rest.index("later 22")
    )
    assert "later 19" not in rest and "Later scheduled tweets" not in second
    assert "posted one" not in second and 'href="/tweets">Back to the soonest' in second


def test_my_tweets_when_there_are_none(browser):
    assert "Nothing posted yet." in browser.get("/tweets").text


def test_account_page_shows_the_address_and_live_tokens_only(browser, ada):
    User.update(email="ada@example.com").where(User.id == ada.id).execute()
    tokens = TokenService()
    live = tokens.issue(ada, "laptop <script>")
    gone = tokens.issue(ada, "old one")
    tokens.revoke(ada, gone.id)
    html = browser.get("/account").text
    assert 'value="ada@example.com"' in html
    assert "laptop &lt;script&gt;" in html
    assert live.token[:10] in html and live.token not in html  # only the prefix
    assert "old one" not in html
    assert '<label for="email">Email address</label>' in html
    assert_no_inline_script_or_style(html)


def test_account_page_shows_the_x_user_id_token_expiry_and_sign_out_everywhere(browser, ada):
    tokens = TokenService()
    tokens.issue(ada, "month", expires_in_days=30)
    tokens.issue(ada, "forever")
    html = browser.get("/account").text
    assert f'<code id="x-user-id">{ada.x_user_id}</code>' in html
    month = html.split("month</span>")[1].split("</li>")[0]
    assert "expires <time datetime=" in month
    forever = html.split("forever</span>")[1].split("</li>")[0]
    assert "does not expire" in forever
    form = html.split('<form id="logout-all-form"')[1].split("</form>")[0]
    assert 'method="post" action="/auth/logout-all"' in form
    assert f'name="csrf_token" value="{browser.cookies[CSRF_COOKIE]}"' in form


def test_templates_are_compiled_once_no_file_is_read_per_request(browser, monkeypatch):
    browser.get("/")  # the app is built (templates compiled) before this point

    def no_reads(*args, **kwargs):
        raise AssertionError("a template was read from disk during a request")

    monkeypatch.setattr(jinja2.PackageLoader, "get_source", no_reads)
    for page in ("/", "/tweets", "/account"):
        assert browser.get(page).status_code == 200


# --- sign out and CSRF --------------------------------------------------------


def test_sign_out_form_needs_its_csrf_token(browser):
    refused = browser.post("/auth/logout", body="", content_type=falcon.MEDIA_URLENCODED)
    assert refused.status_code == 403
    assert "CSRF" in refused.json["title"]
    assert browser.get("/").text.count("What's happening") == 1  # still signed in
    body = f"csrf_token={browser.cookies[CSRF_COOKIE]}"
    r = browser.post("/auth/logout", body=body, content_type=falcon.MEDIA_URLENCODED)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert r.cookies[SESSION_COOKIE].value == ""  # unset, expired at once
    assert "Sign in with X" in browser.get("/").text  # the session row is gone


# --- security headers ----------------------------------------------------------


def test_security_headers_are_on_api_answers_and_errors_too(client, db):
    for path in ("/healthz", "/api/tweets", "/static/nope.css", "/no/such/page"):
        assert_security_headers(client.simulate_get(path).headers)


def test_https_deployments_add_strict_transport_security(settings, deps):
    assert (
        "strict-transport-security"
        not in falcon.testing.TestClient(create_app(deps)).simulate_get("/healthz").headers
    )
    secure = Settings.from_env(
        {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "SECRET_KEY": "x",
            "PUBLIC_BASE_URL": "https://tweetnow.example",
        }
    )
    app = create_app(WebDeps.from_settings(secure))
    r = falcon.testing.TestClient(app).simulate_get("/healthz")
    assert r.headers["strict-transport-security"] == "max-age=31536000"


# --- static files ---------------------------------------------------------------


def test_static_files_by_hashed_name_are_immutable_with_etag_and_304(client, db):
    html = client.simulate_get("/").text
    css = re.search(r'href="(/static/app\.[0-9a-f]{12}\.css)"', html).group(1)
    r = client.simulate_get(css)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert r.headers["cache-control"] == IMMUTABLE
    etag = r.headers["etag"]
    assert r.content == files("tweetnow.web").joinpath("static", "app.css").read_bytes()
    again = client.simulate_get(css, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.simulate_head(css).status_code == 200


def test_plain_or_stale_static_names_must_be_revalidated(client, db):
    for name in ("app.css", "app.000000000000.css"):
        r = client.simulate_get(f"/static/{name}")
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["etag"]
    assert client.simulate_get("/static/missing.js").status_code == 404
    assert client.simulate_get("/static/..%2Fapp.py").status_code == 404


def test_static_text_is_gzipped_for_clients_that_take_it(client, db):
    html = client.simulate_get("/").text
    css = re.search(r'href="(/static/app\.[^"]+)"', html).group(1)
    r = client.simulate_get(css, headers={"Accept-Encoding": "gzip, deflate"})
    assert r.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["vary"]
    assert gzip.decompress(r.content) == client.simulate_get(css).content
    plain = client.simulate_get(css, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in plain.headers


def test_the_hash_follows_the_content():
    one = StaticAssets({"a.js": b"1"}).url("a.js")
    two = StaticAssets({"a.js": b"2"}).url("a.js")
    assert one != two
    assert re.fullmatch(r"/static/a\.[0-9a-f]{12}\.js", one)


# --- the page's tweet count --------------------------------------------------------

COUNTED = [
    "hello",
    "https://example.com/a/very/long/path/indeed",
    "see example.com and http://t.co/abcdef?x=1 ok",
    "😀 ❤️ 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 1️⃣ #️⃣ 🇫🇷",
    "日本語のツイート, 中文网.com 你好, 한국어",
    "©®™ café cafe\u0301 Привет мир пример.рф",
    "(https://en.wikipedia.org/wiki/Foo_(bar)) foo.bar.co.uk/path?q=1.",
    "test.com/@user/ @example.com $example.com x-.com a.b 😀.com",
    "http://日本語.jp/path HTTPS://EXAMPLE.COM/X https://t.co/" + "a" * 45,
    "line\r\nbreak\rx \U0001d400 ﾊﾝｶｸ",
    "https://example.com/" + "a" * 30 + " " + "b" * 256,
    "x" * 281,
    "😀" * 141,
]

_RUN_COUNT = """
globalThis.window = globalThis;
const fs = require("fs");
for (const file of process.argv.slice(1)) eval(fs.readFileSync(file, "utf8"));
const texts = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map((t) => window.tweetnow.weightedLength(t))));
"""


def test_the_page_script_counts_like_the_server(tmp_path):
    """The same count in JavaScript (static/tweet_length.js) as on the server.

    Runs under Node when it is installed; the browser tests check it in Chromium too.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (tests/browser checks the count in Chromium)")
    rules = tmp_path / "tweet_rules.js"
    rules.write_bytes(tweet_rules_js())
    script = files("tweetnow.web").joinpath("static", "tweet_length.js")
    out = subprocess.run(
        [node, "-e", _RUN_COUNT, str(rules), str(script)],
        input=json.dumps(COUNTED),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == [weighted_length(t) for t in COUNTED]


@pytest.mark.parametrize(
    ("python", "javascript"),
    [
        (r"[\!'#\-a-z]", "[!'#\\-a-z]"),
        (r"\-\(\.\/", "-\\(\\.\\/"),
        ("\\U0001F600|\\U0000002A", "😀|\\u{2a}"),
        (r"\u200D\x20\d", r"\u200D\x20\d"),
    ],
)
def test_python_patterns_become_javascript_u_patterns(python, javascript):
    assert js_pattern(python) == javascript


# --- POST /api/tweets/{id}/retry ---------------------------------------------------


def test_a_failed_tweet_is_retried_under_a_new_job(client, alice, redis_client):
    user, token = alice
    tweet = add_tweet(user, "try me", TweetStatus.FAILED, error="X refused the tweet", attempts=1)
    r = client.simulate_post(f"/api/tweets/{tweet.id}/retry", headers=bearer(token))
    assert r.status_code == 202, r.text
    body = r.json
    job_id = body["job"]["id"]
    assert job_id != "job-try me"
    assert body["job"] == {"id": job_id, "status": "queued", "url": f"/api/jobs/{job_id}"}
    assert r.headers["Location"] == f"/api/jobs/{job_id}"
    assert body["tweet"]["status"] == "queued" and body["tweet"]["error"] is None
    row = Tweet.get_by_id(tweet.id)
    assert (row.status, row.job_id, row.error) == ("queued", job_id, None)
    assert queued_job_ids(redis_client) == [job_id]
    job = client.simulate_get(f"/api/jobs/{job_id}", headers=bearer(token)).json
    assert job["status"] == "queued"


@pytest.mark.parametrize("status", ["queued", "sending", "sent", "scheduled", "canceled"])
def test_only_a_failed_tweet_can_be_retried(client, alice, redis_client, status):
    user, token = alice
    tweet = add_tweet(user, f"is {status}", status)
    r = client.simulate_post(f"/api/tweets/{tweet.id}/retry", headers=bearer(token))
    assert r.status_code == 409
    assert f"The tweet is {status}" in r.json["description"]
    assert Tweet.get_by_id(tweet.id).job_id == f"job-is {status}"
    assert redis_client.llen(QUEUE_KEY) == 0


def test_someone_elses_or_a_missing_tweet_is_404_on_retry(client, alice, bob, redis_client):
    tweet = add_tweet(alice[0], "alice's", TweetStatus.FAILED)
    for tweet_id in (tweet.id, 999_999):
        r = client.simulate_post(f"/api/tweets/{tweet_id}/retry", headers=bearer(bob[1]))
        assert r.status_code == 404
    assert Tweet.get_by_id(tweet.id).status == "failed"


def test_retry_from_a_browser_needs_the_csrf_header(browser, ada, redis_client):
    tweet = add_tweet(ada, "from the page", TweetStatus.FAILED)
    assert browser.post(f"/api/tweets/{tweet.id}/retry").status_code == 403
    r = browser.post(f"/api/tweets/{tweet.id}/retry", headers=browser.csrf)
    assert r.status_code == 202


def test_retry_with_redis_down_still_queues_it_for_the_sweeper(
    client, alice, deps, redis_client, monkeypatch
):
    user, token = alice
    tweet = add_tweet(user, "outage", TweetStatus.FAILED)

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("connection refused")

    monkeypatch.setattr(deps.broker, "do_enqueue", refuse)
    r = client.simulate_post(f"/api/tweets/{tweet.id}/retry", headers=bearer(token))
    assert r.status_code == 202
    assert Tweet.get_by_id(tweet.id).status == "queued"


# --- GET/PATCH /api/me ----------------------------------------------------------------


def test_me_shows_the_account(client, alice):
    user, token = alice
    r = client.simulate_get("/api/me", headers=bearer(token))
    assert r.json == {
        "id": user.id,
        "username": "alice",
        "name": "Alice",
        "email": None,
        "time_zone": None,
    }
    assert client.simulate_get("/api/me").status_code == 401


def test_patch_me_stores_the_address_normalized_and_removes_it(client, alice):
    user, token = alice
    r = client.simulate_patch(
        "/api/me", json={"email": "  Alice@Example.COM "}, headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    assert r.json["email"] == "Alice@example.com"
    assert User.get_by_id(user.id).email == "Alice@example.com"
    assert client.simulate_patch("/api/me", json={}, headers=bearer(token)).json["email"] == (
        "Alice@example.com"
    )
    for empty in (None, "", "   "):
        r = client.simulate_patch("/api/me", json={"email": empty}, headers=bearer(token))
        assert r.json["email"] is None
    assert User.get_by_id(user.id).email is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"email": "no-at-sign"}, "must have an @-sign"),
        ({"email": "ada@nodot"}, "not a valid email address"),
        ({"email": 5}, "Expected `str | null`"),
        ({"email": "a@example.com", "name": "x"}, "unknown field `name`"),
    ],
)
def test_a_wrong_address_is_422_with_a_clear_message(client, alice, body, words):
    user, token = alice
    r = client.simulate_patch("/api/me", json=body, headers=bearer(token))
    assert r.status_code == 422
    assert words in r.json["description"]
    assert User.get_by_id(user.id).email is None


def test_patch_me_from_a_browser_needs_the_csrf_header(browser, ada):
    assert browser.patch("/api/me", json={"email": "ada@example.com"}).status_code == 403
    r = browser.patch("/api/me", json={"email": "ada@example.com"}, headers=browser.csrf)
    assert r.status_code == 200
    assert User.get_by_id(ada.id).email == "ada@example.com"


def test_openapi_describes_retry_and_me(client, db):
    doc = client.simulate_get("/openapi.json").json
    assert "409" in doc["paths"]["/api/tweets/{tweet_id}/retry"]["post"]["responses"]
    assert set(doc["paths"]["/api/me"]) == {"get", "patch"}
    assert doc["components"]["schemas"]["MeUpdate"]["additionalProperties"] is False
    assert ApiToken.select().count() == 0
