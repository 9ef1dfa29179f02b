"""The admin dashboard in-process: who may see it, what it counts, and the dead-job actions."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import dramatiq
import falcon
import falcon.testing
import pytest
import redis

from tests.support.accounts import make_user
from tests.support.admin_paths import ADMIN_ACTIONS, ADMIN_ODDITIES, ADMIN_PAGES
from tweetnow.shared.jobs import JobState
from tweetnow.shared.messages import POST_TWEET, PostTweet
from tweetnow.shared.models import Mail, MailKind, Tweet, TweetStatus, User
from tweetnow.shared.worker_registry import WorkerRegistry
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.middleware.authentication import CSRF_HEADER
from tweetnow.web.sessions import CSRF_COOKIE, SessionManager

#: The admin's X user id.
ROOT_X_USER_ID = "1001"
#: Every method a request can come with.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class _StartSession:
    def __init__(self, sessions: SessionManager, user: User) -> None:
        self.sessions, self.user = sessions, user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.start(resp, self.user)


class Browser:
    def __init__(self, client: falcon.testing.TestClient, deps: WebDeps, user: User) -> None:
        app = falcon.App()
        app.add_route("/start", _StartSession(SessionManager(deps.settings), user))
        started = falcon.testing.TestClient(app).simulate_get("/start")
        self.client = client
        self.cookies = {name: c.value for name, c in started.cookies.items()}

    def get(self, path: str) -> falcon.testing.Result:
        return self.client.simulate_get(path, cookies=self.cookies)

    def post(self, path: str, *, csrf: bool = True) -> falcon.testing.Result:
        body = f"csrf_token={self.cookies[CSRF_COOKIE]}" if csrf else ""
        return self.client.simulate_post(
            path,
            cookies=self.cookies,
            body=body,
            headers={"Content-Type": falcon.MEDIA_URLENCODED, "Accept": "text/html"},
        )


@pytest.fixture
def admin_deps(deps: WebDeps) -> WebDeps:
    settings = dataclasses.replace(deps.settings, admin_x_user_ids=(ROOT_X_USER_ID,))
    return dataclasses.replace(deps, settings=settings)


@pytest.fixture
def admin_app(admin_deps: WebDeps) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(admin_deps))


@pytest.fixture
def root(admin_deps: WebDeps) -> User:
    return make_user(admin_deps.box, "Root", x_user_id=ROOT_X_USER_ID)


@pytest.fixture
def admin(admin_app, admin_deps, root) -> Browser:
    return Browser(admin_app, admin_deps, root)


def failed_tweet(user: User, deps: WebDeps, text: str = "hello") -> Tweet:
    tweet = Tweet.create(
        user=user, text=text, status=TweetStatus.FAILED, job_id=f"job-{text}", error="X said 503"
    )
    return tweet


def dead_message(deps: WebDeps, tweet: Tweet, *, retries: int = 8) -> str:
    """A post_tweet message as Dramatiq leaves it in the dead-letter set; its Redis id."""
    message = POST_TWEET.message(PostTweet(tweet_id=tweet.id), message_id=tweet.job_id)
    redis_id = f"r-{tweet.job_id}"
    message = message.copy(
        options={"redis_message_id": redis_id, "retries": retries, "traceback": "..."}
    )
    deps.redis.zadd("dramatiq:tweets.XQ", {redis_id: time.time() * 1000})
    deps.redis.hset("dramatiq:tweets.XQ.msgs", redis_id, message.encode())
    deps.jobs.record_enqueued(
        tweet.job_id, actor="post_tweet", queue="tweets", delay_ms=None, retrying=False,
        owner_id=str(tweet.user_id), request_id=None,
    )  # fmt: skip
    deps.jobs.record_started(tweet.job_id)
    deps.jobs.record_finished(tweet.job_id, JobState.FAILED, error="gave up: X said 503")
    return redis_id


# --- who may see it -----------------------------------------------------------


def test_anyone_but_an_admin_gets_a_plain_404_for_every_method_on_every_admin_path(
    admin_app, admin_deps, root
):
    bob = Browser(admin_app, admin_deps, make_user(admin_deps.box, "bob"))
    callers = {
        "signed out": {},
        "signed in, not listed": {
            "cookies": bob.cookies,
            "headers": {CSRF_HEADER: bob.cookies[CSRF_COOKIE]},
        },
        # An API token never opens the dashboard, even an admin's own.
        "an admin's API token": {
            "headers": {"Authorization": f"Bearer {TokenService().issue(root, 'unit').token}"}
        },
    }
    paths = ADMIN_PAGES + ADMIN_ACTIONS + ADMIN_ODDITIES
    for who, credentials in callers.items():
        for method in METHODS:
            unknown = admin_app.simulate_request(method, "/no-such-page", **credentials)
            assert unknown.status_code == 404, (who, method)
            for path in paths:
                r = admin_app.simulate_request(method, path, **credentials)
                where = (who, method, path)
                assert (r.status_code, r.text) == (404, unknown.text), where
                assert r.headers.get("content-type") == unknown.headers.get("content-type"), where
                assert "allow" not in r.headers, where


def test_nobody_is_admin_when_the_setting_is_empty(client, deps):
    root = make_user(deps.box, "root", x_user_id=ROOT_X_USER_ID)
    browser = Browser(client, deps, root)
    assert deps.settings.admin_x_user_ids == ()
    assert browser.get("/admin").status_code == 404


def test_the_admins_handle_on_another_account_is_not_an_admin(admin_app, admin_deps, root):
    """A handle freed on X and taken by someone else: the new holder's id is not listed."""
    User.update(username="Root_old").where(User.id == root.id).execute()
    holder = Browser(admin_app, admin_deps, make_user(admin_deps.box, "Root"))
    for path in ADMIN_PAGES:
        assert holder.get(path).status_code == 404, path
    assert holder.post("/admin/dead/tweets/all/delete").status_code == 404
    assert Browser(admin_app, admin_deps, User.get_by_id(root.id)).get("/admin").status_code == 200


def test_an_admin_sees_every_page(admin, root):
    Tweet.create(user=root, text="x", status=TweetStatus.SENT, job_id="j1")
    for path in ADMIN_PAGES:
        r = admin.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert "text/html" in r.headers["content-type"]
        assert "<script>" not in r.text and " style=" not in r.text


def test_actions_need_the_csrf_token(admin, admin_deps, root):
    tweet = failed_tweet(root, admin_deps)
    dead_message(admin_deps, tweet)
    r = admin.post("/admin/dead/tweets/all/delete", csrf=False)
    assert r.status_code == 403
    assert admin_deps.redis.zcard("dramatiq:tweets.XQ") == 1


# --- counts -------------------------------------------------------------------


def test_queue_depths_and_oldest_age(admin, admin_deps, root):
    broker = admin_deps.broker
    for i in range(3):
        broker.enqueue(POST_TWEET.message(PostTweet(tweet_id=i + 100)))
    broker.enqueue(POST_TWEET.message(PostTweet(tweet_id=200)), delay=60_000)
    dead_message(admin_deps, failed_tweet(root, admin_deps))
    r = admin.get("/admin/queues")
    row = r.text.split('data-queue="tweets"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('">')[1:] if c.split("<")[0].strip()]
    # ready, in progress, delayed, dead, oldest, and the button of a queue that is not paused
    assert cells == ["tweets", "3", "0", "1", "1", "0 s", "Pause"], cells
    ready = admin.get("/admin/queues/tweets")
    assert ready.text.count("post_tweet") == 3 and "tweet_id=100" in ready.text
    delayed = admin.get("/admin/queues/tweets?state=delayed")
    assert "tweet_id=200" in delayed.text
    assert "tweet_id=200" in admin.get("/admin/scheduled").text
    assert "X said 503" in admin.get("/admin/queues/tweets?state=dead").text
    overview = admin.get("/admin")
    assert '<dd id="stat-oldest">0 s</dd>' in overview.text


def test_the_pages_say_which_row_counts_are_of_the_last_day_only(admin, root):
    Tweet.create(user=root, text="x", status=TweetStatus.SENT, job_id="j-sent")
    Tweet.create(user=root, text="y", status=TweetStatus.QUEUED, job_id="j-queued")
    overview = admin.get("/admin").text
    assert "only if they ended in the last 24 h" in overview
    search = admin.get("/admin/tweets").text
    assert ">sent (last 24 h: 1)<" in search and ">queued (1)<" in search


def test_overview_counts_finished_attempts(admin, admin_deps):
    jobs = admin_deps.jobs
    for i, state in enumerate([JobState.SUCCEEDED] * 4 + [JobState.RETRYING, JobState.FAILED]):
        jobs.record_started(f"c{i}")
        jobs.record_finished(f"c{i}", state, error=None)
    text = admin.get("/admin").text
    assert '<dd id="stat-processed">6</dd>' in text
    assert '<dd id="stat-failed">2</dd>' in text
    assert '<dd id="stat-dead">1</dd>' in text
    assert "4 succeeded, 2 failed" in text  # the current minute's bar


def test_retrying_shows_the_last_error(admin, admin_deps):
    message = POST_TWEET.message(PostTweet(tweet_id=7), message_id="retry-me")
    admin_deps.jobs.record_started("retry-me")
    admin_deps.jobs.record_finished("retry-me", JobState.RETRYING, error="X is down (503)")
    admin_deps.broker.enqueue(message.copy(options={"retries": 1}), delay=30_000)
    text = admin.get("/admin/retrying").text
    assert "retry-me"[:8] in text and "X is down (503)" in text
    assert "tweet_id=7" not in admin.get("/admin/scheduled").text


# --- dead jobs ----------------------------------------------------------------


def test_retrying_a_dead_tweet_requeues_it_under_the_same_job_id(admin, admin_deps, root):
    tweet = failed_tweet(root, admin_deps)
    redis_id = dead_message(admin_deps, tweet)
    r = admin.post(f"/admin/dead/tweets/{redis_id}/retry")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/dead?queue=tweets")
    client: redis.Redis = admin_deps.redis
    assert client.zcard("dramatiq:tweets.XQ") == 0 and client.hlen("dramatiq:tweets.XQ.msgs") == 0
    (new_id,) = client.lrange("dramatiq:tweets", 0, -1)
    sent = dramatiq.Message.decode(client.hget("dramatiq:tweets.msgs", new_id))
    assert sent.message_id == tweet.job_id and sent.kwargs == {"tweet_id": tweet.id}
    assert "retries" not in sent.options and "traceback" not in sent.options
    row = Tweet.get_by_id(tweet.id)
    assert (row.status, row.error, row.job_id) == (TweetStatus.QUEUED, None, tweet.job_id)
    job = admin_deps.jobs.get(tweet.job_id)
    assert job is not None and job.status == JobState.QUEUED and job.error is None
    # A second click finds nothing to retry: the job is sent once.
    admin.post(f"/admin/dead/tweets/{redis_id}/retry")
    assert client.llen("dramatiq:tweets") == 1


def test_deleting_dead_jobs_one_and_all(admin, admin_deps, root):
    ids = [dead_message(admin_deps, failed_tweet(root, admin_deps, f"t{i}")) for i in range(3)]
    admin.post(f"/admin/dead/tweets/{ids[0]}/delete")
    assert admin_deps.redis.zcard("dramatiq:tweets.XQ") == 2
    r = admin.post("/admin/dead/tweets/all/delete")
    assert r.status_code == 303 and "done=2" in r.headers["location"]
    assert admin_deps.redis.zcard("dramatiq:tweets.XQ") == 0
    assert admin_deps.redis.llen("dramatiq:tweets") == 0
    assert Tweet.select().where(Tweet.status == TweetStatus.FAILED).count() == 3


def test_retry_all(admin, admin_deps, root):
    for i in range(3):
        dead_message(admin_deps, failed_tweet(root, admin_deps, f"t{i}"))
    admin.post("/admin/dead/tweets/all/retry")
    assert admin_deps.redis.llen("dramatiq:tweets") == 3
    assert Tweet.select().where(Tweet.status == TweetStatus.QUEUED).count() == 3
    assert "tweets (0)" in admin.get("/admin/dead").text


def test_a_dead_job_of_a_tweet_sent_since_stays_sent(admin, admin_deps, root):
    tweet = failed_tweet(root, admin_deps)
    redis_id = dead_message(admin_deps, tweet)
    Tweet.update(status=TweetStatus.SENT, error=None).where(Tweet.id == tweet.id).execute()
    admin.post(f"/admin/dead/tweets/{redis_id}/retry")
    assert Tweet.get_by_id(tweet.id).status == TweetStatus.SENT


# --- workers, periodic, product -------------------------------------------------


def test_workers_page_lists_registered_processes_and_their_jobs(admin, admin_deps):
    registries = []
    for n in range(3):
        registry = WorkerRegistry(name=f"tweeter-{n}:10{n}", interval_s=3600)
        fake_broker = SimpleNamespace(
            client=admin_deps.redis, get_declared_queues=set, broker_id=f"broker-{n}"
        )
        fake_worker = SimpleNamespace(consumer_whitelist={"tweets", "periodic"}, worker_threads=8)
        registry.after_worker_boot(fake_broker, fake_worker)
        registries.append(registry)
    running = POST_TWEET.message(PostTweet(tweet_id=1), message_id="running-job-1")
    # As the job status middleware does: the entry goes with "running", leaves with the outcome.
    admin_deps.jobs.record_started(
        running.message_id, running=registries[0].running_entry(running, "2026-01-01T00:00:00.000Z")
    )
    text = admin.get("/admin/workers").text
    assert '<span id="worker-count">3</span>' in text
    assert text.count('class="worker"') == 3 and "periodic, tweets" in text
    assert "post_tweet running-" in text
    admin_deps.jobs.record_finished(
        running.message_id, JobState.SUCCEEDED, running_key=registries[0].running_key()
    )
    registries[2].before_worker_shutdown(None, None)
    text = admin.get("/admin/workers").text
    assert '<span id="worker-count">2</span>' in text and "post_tweet running-" not in text
    for r in registries:
        r.before_worker_shutdown(None, None)


def test_periodic_page_shows_schedule_next_and_last_run(admin, admin_deps):
    admin_deps.redis.hset(
        "tweetnow:periodic:runs",
        "cleanup",
        json.dumps(
            {"started_at": "2026-01-01T10:17:00.000Z", "outcome": "succeeded", "result": {}}
        ),
    )
    text = admin.get("/admin/periodic").text
    for name in ("dispatch_due_tweets", "sweep_outbox", "cleanup", "17 * * * *"):
        assert name in text
    assert "1 Jan 2026, 10:17 UTC" in text
    assert text.count("not yet") == 2


def test_tweet_search_and_job_history(admin, admin_deps, root, alice):
    ada = alice[0]
    mine = Tweet.create(user=root, text="root's", status=TweetStatus.SENT, job_id="j-root")
    Tweet.create(user=ada, text="alice's sent", status=TweetStatus.SENT, job_id="j-a1")
    failed = Tweet.create(user=ada, text="alice's failed", status=TweetStatus.FAILED, job_id="j-a2")
    jobs = admin_deps.jobs
    jobs.record_started("j-a2")
    jobs.record_finished("j-a2", JobState.RETRYING, error="X is down (503)")
    jobs.record_started("j-a2")
    jobs.record_finished("j-a2", JobState.FAILED, error="duplicate content")

    text = admin.get("/admin/tweets?user=ALICE&status=failed").text
    assert "alice&#39;s failed" in text and "alice&#39;s sent" not in text and "root" not in text
    later = datetime.now(UTC).replace(year=2100).date().isoformat()
    assert "No tweet matches" in admin.get(f"/admin/tweets?since={later}").text
    assert str(mine.id) in admin.get("/admin/tweets?until=2100-01-01").text

    detail = admin.get(f"/admin/tweets/{failed.id}").text
    assert detail.count("X is down (503)") == 1 and "duplicate content" in detail
    assert detail.count('class="badge badge-retrying"') == 1
    r = admin.get("/admin/jobs/j-a2")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/tweets/{failed.id}"
    assert admin.get("/admin/tweets/99999").status_code == 404


def test_tweet_search_pages_through_older_tweets(admin, root):
    for i in range(55):
        Tweet.create(user=root, text=f"t{i}", status=TweetStatus.SENT, job_id=f"j{i}")
    first = admin.get("/admin/tweets?status=sent")
    assert first.text.count('href="/admin/tweets/') == 50
    older = first.text.split('class="pager"><a href="')[1].split('"')[0].replace("&amp;", "&")
    assert "status=sent" in older
    assert admin.get("/admin/tweets" + older).text.count('href="/admin/tweets/') == 5


def test_mail_search_finds_mail_by_handle_or_address(admin, root):
    Mail.create(user=root, kind=MailKind.WELCOME, recipient="ops@example.com", job_id="m1")
    Mail.create(kind=MailKind.WELCOME, recipient="Guest@Example.org", job_id="m2")
    everything = admin.get("/admin/mail").text
    assert "ops@example.com" in everything and "Guest@Example.org" in everything
    by_handle = admin.get("/admin/mail?user=@ROOT").text
    assert "ops@example.com" in by_handle and "Guest@Example.org" not in by_handle
    by_address = admin.get("/admin/mail?user=guest@example.org").text
    assert "Guest@Example.org" in by_address and "ops@example.com" not in by_address


# --- the operator's controls ---------------------------------------------------


def test_pause_and_resume_need_the_csrf_token_and_are_recorded_with_who(admin, admin_deps, root):
    assert admin.post("/admin/queues/tweets/pause", csrf=False).status_code == 403
    assert not admin_deps.redis.sismember("tweetnow:paused_queues", "tweets")

    r = admin.post("/admin/queues/tweets/pause")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/queues?done=")
    assert admin_deps.redis.sismember("tweetnow:paused_queues", "tweets")
    page = admin.get("/admin/queues").text
    assert 'data-queue="tweets" data-paused' in page and "Resume" in page
    assert 'data-queue="mail" data-paused' not in page
    overview = admin.get("/admin").text
    assert "badge-paused" in overview and "@Root" in overview and ROOT_X_USER_ID in overview

    assert admin.post("/admin/queues/tweets/resume").status_code == 303
    assert not admin_deps.redis.sismember("tweetnow:paused_queues", "tweets")
    assert admin.post("/admin/queues/nowhere/pause").status_code == 404
    assert admin.post("/admin/queues/tweets/stop").status_code == 404


def test_quiet_needs_the_csrf_token_and_a_live_worker(admin, admin_deps):
    registry = WorkerRegistry(name="tweeter-q:7", interval_s=3600)
    fake_broker = SimpleNamespace(client=admin_deps.redis, get_declared_queues=set, broker_id="b")
    fake_worker = SimpleNamespace(consumer_whitelist={"tweets"}, worker_threads=8)
    registry.after_worker_boot(fake_broker, fake_worker)
    try:
        assert admin.post("/admin/workers/tweeter-q:7/quiet", csrf=False).status_code == 403
        assert 'data-worker="tweeter-q:7" data-quiet' not in admin.get("/admin/workers").text
        assert admin.post("/admin/workers/tweeter-q:7/quiet").status_code == 303
        assert 'data-worker="tweeter-q:7" data-quiet' in admin.get("/admin/workers").text
        assert admin.post("/admin/workers/gone:1/quiet").status_code == 404
        assert admin_deps.redis.lindex("tweetnow:operator_actions", 0) is not None
    finally:
        registry.before_worker_shutdown(None, None)
    assert not admin_deps.redis.exists("tweetnow:workers:tweeter-q:7:quiet")
