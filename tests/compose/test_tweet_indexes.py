"""The compose stack's PostgreSQL, migrated by its one-shot ``migrate``: the queries
that list one person's tweets and the dispatcher's due ones are answered from
migration 7's indexes, in the order asked, without a sort.

A plan, not a timing: with sequential scans and sorts priced out
(``enable_seqscan``/``enable_sort`` off), PostgreSQL still sorts or scans the table
if no index can give the rows in order; with the index, the plan names it and has
no Sort node.
"""

from __future__ import annotations

import pytest

from tests.support.compose_stack import compose

PRICED_OUT = "SET enable_seqscan = off; SET enable_sort = off; "

#: The statements as the web and the tweeter send them, for a person's id 1.
QUERIES = {
    "a person's tweets, newest first": (
        "EXPLAIN SELECT * FROM tweet WHERE user_id = 1 AND status <> 'scheduled' "
        "ORDER BY id DESC LIMIT 21",
        ("tweet_user_id_id", "tweet_user_id_status_id"),
    ),
    "a person's scheduled tweets, soonest first": (
        "EXPLAIN SELECT * FROM tweet WHERE user_id = 1 AND status = 'scheduled' "
        "ORDER BY send_at, id LIMIT 100",
        ("tweet_scheduled_user_id_send_at_id",),
    ),
    "the admin search by status, newest first": (
        "EXPLAIN SELECT * FROM tweet WHERE status = 'failed' ORDER BY id DESC LIMIT 51",
        ("tweet_status_id",),
    ),
    "the dispatcher's due tweets, soonest first": (
        "EXPLAIN SELECT id FROM tweet WHERE status = 'scheduled' AND dispatched_at IS NULL "
        "AND send_at <= now() ORDER BY send_at, id",
        ("tweet_due_send_at_id",),
    ),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_query_reads_its_index_in_order(name: str):
    sql, wanted = QUERIES[name]
    plan = compose(
        "exec", "-T", "postgres",
        "psql", "-U", "tweetnow", "-d", "tweetnow", "-At", "-c", PRICED_OUT + sql,
    )  # fmt: skip
    assert any(index in plan for index in wanted), plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan
