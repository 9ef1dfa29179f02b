"""Indexes for a million tweets: migration step 7 on a database as step 6 left it gives
the indexes a new database gets from the models; the dashboard counts rows on their way
whole and finished ones over the last day; the admin search finds a person by handle in
any case."""

from __future__ import annotations

from datetime import timedelta

from peewee import Database

from tests.support.accounts import make_user
from tests.support.schema_steps import back_to_step_6
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.migrations import migrate
from tweetnow.shared.models import Mail, MailStatus, Tweet, TweetStatus
from tweetnow.web.admin.tweets_and_mail import status_counts


def indexes(db: Database) -> dict[str, str]:
    return {
        index.name: index.sql
        for table in ("tweet", "mail", "user")
        for index in db.get_indexes(table)
    }


def test_step_7_on_a_step_6_database_gives_the_indexes_of_a_new_one(deps):
    new = indexes(database)
    # The database as the release before had it, with rows in it.
    back_to_step_6(database)
    ada = make_user(deps.box, "Ada")
    Tweet.create(user=ada, text="hi", status=TweetStatus.SENT, job_id="j1")
    assert "tweet_status" in indexes(database) and "tweet_status_id" not in indexes(database)

    assert migrate(database) == [7]

    assert indexes(database) == new
    assert migrate(database) == []
    assert Tweet.select().count() == 1


def test_the_new_schema_has_partial_indexes_for_scheduled_tweets(deps):
    sql = indexes(database)
    assert "WHERE" in sql["tweet_due_send_at_id"] and "dispatched_at" in sql["tweet_due_send_at_id"]
    assert "WHERE" in sql["tweet_scheduled_user_id_send_at_id"]
    assert "tweet_status" not in sql and "tweet_send_at" not in sql and "mail_status" not in sql


def test_the_list_query_of_one_person_reads_their_index_newest_first(deps, alice):
    user, _ = alice
    query = (
        Tweet.select()
        .where((Tweet.user == user) & (Tweet.status != TweetStatus.SCHEDULED))
        .order_by(Tweet.id.desc())
        .limit(21)
    )
    sql, params = query.sql()
    plan = " ".join(str(row) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "tweet_user_id_id" in plan or "tweet_user_id_status_id" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order


def test_the_dashboard_counts_rows_on_their_way_whole_and_finished_ones_of_the_last_day(deps):
    ada = make_user(deps.box, "ada")
    old = to_db(utcnow() - timedelta(days=2))
    rows = [
        (TweetStatus.SENT, old),
        (TweetStatus.SENT, None),
        (TweetStatus.FAILED, old),
        (TweetStatus.CANCELED, None),
        (TweetStatus.QUEUED, old),
        (TweetStatus.SCHEDULED, old),
        (TweetStatus.SCHEDULED, None),
        (TweetStatus.HELD, old),
    ]
    for n, (status, updated) in enumerate(rows):
        tweet = Tweet.create(user=ada, text=f"t{n}", status=status, job_id=f"j{n}")
        if updated is not None:
            Tweet.update(updated_at=updated).where(Tweet.id == tweet.id).execute()
    Mail.create(kind="thought", recipient="a@example.com", status=MailStatus.SENT, job_id="m1")
    mail = Mail.create(
        kind="thought", recipient="b@example.com", status=MailStatus.SENT, job_id="m2"
    )
    Mail.update(updated_at=old).where(Mail.id == mail.id).execute()

    assert status_counts(Tweet) == {
        "sent": 1,
        "canceled": 1,
        "queued": 1,
        "scheduled": 2,
        "held": 1,
    }
    assert status_counts(Mail) == {"sent": 1}
