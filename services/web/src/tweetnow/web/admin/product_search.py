"""Tweets and mail for the dashboard: search by user, status and time, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import falcon
from peewee import JOIN, fn

from tweetnow.shared.clock import to_db
from tweetnow.shared.models import Mail, MailStatus, Tweet, TweetStatus, User

from ..row_ids import MAX_ROW_ID

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    user: str
    status: str
    since: str
    until: str
    before: int | None

    @classmethod
    def from_request(cls, req: falcon.Request, statuses: list[str]) -> Filters:
        status = req.get_param("status") or ""
        return cls(
            user=(req.get_param("user") or "").strip().lstrip("@"),
            status=status if status in statuses else "",
            since=req.get_param("since") or "",
            until=req.get_param("until") or "",
            before=req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID),
        )

    def query_string(self, before: int) -> str:
        parts = {
            "user": self.user,
            "status": self.status,
            "since": self.since,
            "until": self.until,
            "before": str(before),
        }
        return falcon.to_query_str({k: v for k, v in parts.items() if v}, prefix=False)


def _instant(text: str) -> datetime | None:
    """A date or date-time from a search form, taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_db(value if value.tzinfo else value.replace(tzinfo=UTC))


def _page(query, model, filters: Filters):
    if filters.before is not None:
        query = query.where(model.id < filters.before)
    rows = list(query.order_by(model.id.desc()).limit(PAGE_SIZE + 1))
    older = filters.query_string(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], older


def _timed(query, model, filters: Filters):
    since, until = _instant(filters.since), _instant(filters.until)
    if since is not None:
        query = query.where(model.created_at >= since)
    if until is not None:
        query = query.where(model.created_at < until)
    if filters.status:
        query = query.where(model.status == filters.status)
    return query


def search_tweets(filters: Filters) -> tuple[list[Tweet], str | None]:
    query = Tweet.select(Tweet, User).join(User)
    if filters.user:
        query = query.where(fn.LOWER(User.username) == filters.user.lower())
    return _page(_timed(query, Tweet, filters), Tweet, filters)


def search_mail(filters: Filters) -> tuple[list[Mail], str | None]:
    query = Mail.select(Mail, User).join(User, JOIN.LEFT_OUTER)
    if filters.user:
        who = filters.user.lower()
        query = query.where((fn.LOWER(User.username) == who) | (fn.LOWER(Mail.recipient) == who))
    return _page(_timed(query, Mail, filters), Mail, filters)


TWEET_STATUSES = [str(s) for s in TweetStatus]
MAIL_STATUSES = [str(s) for s in MailStatus]


def status_counts(model) -> dict[str, int]:
    rows = model.select(model.status, fn.COUNT(model.id).alias("n")).group_by(model.status)
    return {r.status: r.n for r in rows}
