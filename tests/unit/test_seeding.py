"""``tweetnow-seed``: a small seeded database answers the API as any other, gives the
workers nothing to do, and a production database is never seeded."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

from tests.support.processes import console_script
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.models import Tweet, TweetStatus, User, XConnection
from tweetnow.tweeter.housekeeping import dispatch_due_tweets, sweep_outbox
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.seeding import Shape, seed, seeded_username

SMALL = Shape(tweets=2_000, people=50, heavy=2, heavy_share=0.3, seed=14)


def test_a_seeded_database_has_the_shape_asked_for(deps):
    assert seed(database, deps.box, SMALL, batch=700) == 2_000

    assert Tweet.select().count() == 2_000
    assert User.select().count() == XConnection.select().count() == 50
    statuses = Counter(t.status for t in Tweet.select(Tweet.status))
    assert set(statuses) <= {"sent", "failed", "canceled", "scheduled"}
    assert statuses["sent"] > 1_700 and statuses["failed"] > 0 and statuses["canceled"] > 0
    per_person = Counter(t.user_id for t in Tweet.select(Tweet.user))
    heavy = [User.get(User.username == seeded_username(k)).id for k in range(2)]
    assert sum(per_person[i] for i in heavy) > 500  # about 30 % between two people
    assert all(t.connection_id is not None for t in Tweet.select(Tweet.connection))
    # In id order, oldest first, over months.
    rows = list(Tweet.select(Tweet.id, Tweet.created_at).order_by(Tweet.id))
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    assert rows[-1].created_at - rows[0].created_at > timedelta(days=150)


def test_seeding_again_adds_tweets_to_the_same_people(deps):
    seed(database, deps.box, Shape(200, 10, 1, 0.3, 1))
    seed(database, deps.box, Shape(300, 10, 1, 0.3, 2))
    assert Tweet.select().count() == 500 and User.select().count() == 10


def test_a_seeded_database_gives_the_workers_nothing_to_send(deps, redis_client):
    seed(database, deps.box, SMALL)
    scheduled = Tweet.select().where(Tweet.status == TweetStatus.SCHEDULED)
    assert scheduled.count() > 0
    assert all(t.send_at > to_db(utcnow() + timedelta(days=199)) for t in scheduled)

    assert dispatch_due_tweets(deps.broker, horizon_s=60) == 0
    assert sweep_outbox(deps.broker, deps.jobs, grace_s=0) == {
        "tweets": 0,
        "mails": 0,
        "webhook_deliveries": 0,
    }
    assert redis_client.llen("dramatiq:tweets") == 0


def test_the_api_lists_a_seeded_persons_tweets_like_any_others(deps, client):
    seed(database, deps.box, SMALL)
    person = User.get(User.username == seeded_username(0))
    token = TokenService().issue(person, "test").token
    listed: list[dict] = []
    url = "/api/tweets?limit=100"
    while url:
        path, _, query = url.partition("?")
        page = client.simulate_get(
            path, query_string=query, headers={"Authorization": f"Bearer {token}"}
        )
        assert page.status_code == 200, page.text
        listed += page.json["data"]
        url = page.json["next"]
    theirs = list(Tweet.select().where(Tweet.user == person).order_by(Tweet.id.desc()))
    assert [t["id"] for t in listed] == [t.id for t in theirs]
    assert [t["status"] for t in listed] == [t.status for t in theirs]
    sent = next(t for t in listed if t["status"] == "sent")
    assert sent["x_tweet_id"] and sent["url"].endswith(
        f"/{seeded_username(0)}/status/{sent['x_tweet_id']}"
    )


def test_seeding_a_production_database_is_refused(tmp_path: Path):
    target = tmp_path / "never.sqlite3"
    env = {
        **os.environ,
        "TWEETNOW_ENV": "production",
        "DATABASE_URL": f"sqlite:///{target}",
    }
    done = subprocess.run(
        [console_script("tweetnow-seed"), "--tweets", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 78
    assert "refused: TWEETNOW_ENV is production" in done.stderr
    assert not target.exists()
