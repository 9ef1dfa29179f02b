"""Recording webhook events (once per webhook and event, whoever records it) and the
schema step that brings an existing database the webhook tables."""

from __future__ import annotations

import json

from peewee import CharField, Model
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from tests.support.accounts import make_user
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.messages import WEBHOOKS_QUEUE
from tweetnow.shared.migrations import SchemaMigration, migrate, missing_versions
from tweetnow.shared.models import (
    Mail,
    ThreadPart,
    Tweet,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from tweetnow.shared.webhook_events import WebhookEvents

QUEUE_KEY = f"dramatiq:{WEBHOOKS_QUEUE}"


def hook(user: User, events: str, **fields: object) -> Webhook:
    return Webhook.create(user=user, url="http://127.0.0.1:9/", events=events, secret="x", **fields)


def test_an_event_is_recorded_once_per_subscribed_live_webhook(deps, redis_client):
    alice, bob = make_user(deps.box, "alice"), make_user(deps.box, "bob")
    subscribed = hook(alice, "tweet.sent,tweet.failed")
    hook(alice, "mail.sent")
    hook(alice, "tweet.sent", disabled_at=to_db(utcnow()))
    hook(bob, "tweet.sent")
    tweet = Tweet.create(user=alice, text="hi", status="sent", job_id="job-1", x_tweet_id="99")
    events = WebhookEvents(deps.broker, x_web_base_url="https://x.com")

    assert events.after_tweet(tweet.id) == 1
    assert events.after_tweet(tweet.id) == 0  # a redelivered message records nothing new

    [delivery] = WebhookDelivery.select()
    assert delivery.webhook_id == subscribed.id
    assert delivery.event == "tweet.sent"
    assert delivery.id.startswith("msg_")
    assert '"url": "https://x.com/alice/status/99"' in delivery.payload
    assert redis_client.llen(QUEUE_KEY) == 1


def test_a_failed_thread_s_event_says_which_parts_reached_x(deps, redis_client):
    alice = make_user(deps.box, "alice")
    hook(alice, "tweet.failed")
    tweet = Tweet.create(
        user=alice, text="one", status="failed", job_id="job-t", error="Part 2 of 3: refused"
    )
    for position, (text, x_id) in enumerate([("one", "101"), ("two", None), ("three", None)]):
        ThreadPart.create(tweet=tweet, position=position, text=text, x_tweet_id=x_id)
    events = WebhookEvents(deps.broker, x_web_base_url="https://x.com")

    assert events.after_tweet(tweet.id) == 1

    [delivery] = WebhookDelivery.select()
    data = json.loads(delivery.payload)["data"]
    assert [(p["text"], p["status"], p["url"], p["error"]) for p in data["parts"]] == [
        ("one", "sent", "https://x.com/alice/status/101", None),
        ("two", "failed", None, "Part 2 of 3: refused"),
        ("three", "queued", None, None),
    ]
    assert data["media_ids"] == []


def test_only_a_final_state_is_an_event(deps, redis_client):
    alice = make_user(deps.box, "alice")
    hook(alice, "tweet.sent,tweet.failed,mail.sent,mail.failed")
    events = WebhookEvents(deps.broker, x_web_base_url="https://x.com")
    for status in ("queued", "scheduled", "sending", "canceled"):
        tweet = Tweet.create(user=alice, text=status, status=status, job_id=f"job-{status}")
        assert events.after_tweet(tweet.id) == 0
    mail = Mail.create(user=alice, kind="thought", recipient="a@example.com", job_id="m1")
    assert events.after_mail(mail.id) == 0
    Mail.update(status="failed").where(Mail.id == mail.id).execute()
    assert events.after_mail(mail.id) == 1
    # A tweet retried under a new job and failing again is a new event.
    tweet = Tweet.create(user=alice, text="again", status="failed", job_id="first")
    assert events.after_tweet(tweet.id) == 1
    Tweet.update(job_id="second").where(Tweet.id == tweet.id).execute()
    assert events.after_tweet(tweet.id) == 1
    assert WebhookDelivery.select().count() == 3


def test_the_webhook_step_brings_an_older_database_up_to_date(settings, db):
    class OtherTable(Model):  # a step of another release that added a table of its own
        name = CharField()

        class Meta:
            database = database

    database.drop_tables([WebhookAttempt, WebhookDelivery, Webhook])
    run_operations(SchemaMigrator.from_database(database).drop_column("user", "time_zone"))
    database.create_tables([OtherTable])
    SchemaMigration.delete().where(SchemaMigration.version == 5).execute()
    assert missing_versions() == [5]

    assert migrate(database) == [5]

    assert missing_versions() == []
    assert {"webhook", "webhookdelivery", "webhookattempt", "othertable"} <= set(
        database.get_tables()
    )
    assert "time_zone" in {c.name for c in database.get_columns("user")}
    assert migrate(database) == []
