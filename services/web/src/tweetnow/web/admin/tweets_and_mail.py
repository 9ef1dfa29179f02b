"""``/admin/tweets``, ``/admin/mail`` and ``/admin/jobs/{id}``: find a tweet or a mail by
user, status and time, newest first, and open it to see every attempt of its job."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any, ClassVar, cast

import falcon
from peewee import JOIN, Field, ModelSelect, fn

from tweetnow.shared.clock import to_db
from tweetnow.shared.models import Mail, MailStatus, Tweet, TweetStatus, User

from ..row_ids import MAX_ROW_ID
from .page import AdminPage

#: Rows shown per page of results.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """The search form's fields, as sent (so the form shows them again)."""

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


#: Final statuses are counted over this last stretch only (by when the row last
#: changed); the others, which rows leave again, are counted whole.
RECENT = timedelta(hours=24)
#: How the pages name that stretch.
RECENT_LABEL = "last 24 h"
FINAL_STATUSES = frozenset(
    {TweetStatus.SENT, TweetStatus.FAILED, TweetStatus.CANCELED, MailStatus.SENT, MailStatus.FAILED}
)


def status_counts(model: type[Tweet] | type[Mail], now: datetime | None = None) -> dict[str, int]:
    """How many rows are in each status: every row still on its way (scheduled, queued,
    sending, held: few, whatever the table's size), and only those that reached a final
    status (sent, failed, canceled) within ``RECENT``.

    Counting every sent tweet read the whole table on every dashboard load (a million
    rows: a sequential scan); these read the ``(status, updated_at)`` index's entries
    for the rows they count and nothing else.
    """
    since = to_db((now or datetime.now(UTC)) - RECENT)
    final = [s.value for s in FINAL_STATUSES if s.value in _statuses(model)]
    live = [s for s in _statuses(model) if s not in final]
    rows = (
        model.select(model.status, fn.COUNT(model.id))
        .where(model.status.in_(live) | (model.status.in_(final) & (model.updated_at >= since)))
        .group_by(model.status)
        .tuples()
    )
    # The stubs type every select as yielding model instances; tuples() yields (status, count).
    return dict(cast(Iterable[tuple[str, int]], rows))


def _statuses(model: type[Tweet] | type[Mail]) -> list[str]:
    return [str(s) for s in (TweetStatus if model is Tweet else MailStatus)]


def counted_recently(status: str) -> bool:
    """Whether ``status_counts`` counts ``status`` over ``RECENT`` only (the pages say so)."""
    return status in FINAL_STATUSES


@dataclass(frozen=True)
class Searched:
    """What a search looks through: one model's rows, each with its user."""

    model: type[Tweet] | type[Mail]
    #: The statuses offered in the form.
    statuses: list[str]
    #: The columns the form's user is matched against, ignoring case.
    user_columns: tuple[Field, ...]
    #: Whether rows with no user are found too (mail to an address that has no account).
    userless: bool = False

    def rows(self, who: str) -> ModelSelect[Tweet] | ModelSelect[Mail]:
        """The rows of ``who`` (a lowercase handle or address), or every row when empty."""
        join = JOIN.LEFT_OUTER if self.userless else JOIN.INNER
        query = self.model.select(self.model, User).join(User, join)
        if not who:
            return query
        if self.user_columns == (User.username,):
            # The person first, then their rows: the planner walks one person's
            # (user_id, id) index newest first and stops at a page, where a join on
            # the handle made it sort every row of whoever might have it.
            ids = [u.id for u in User.select(User.id).where(fn.LOWER(User.username) == who)]
            return query.where(self.model.user.in_(ids))
        return query.where(reduce(operator.or_, (fn.LOWER(c) == who for c in self.user_columns)))


TWEETS = Searched(Tweet, [str(s) for s in TweetStatus], (User.username,))
MAILS = Searched(Mail, [str(s) for s in MailStatus], (User.username, Mail.recipient), userless=True)


class SearchPage(AdminPage):
    """Rows matching the filters, newest first, a page at a time with a link to older ones."""

    searched: ClassVar[Searched]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        statuses = self.searched.statuses
        filters = Filters.from_request(req, statuses)
        rows, older = self.search(filters)
        self.render(
            req,
            resp,
            filters=filters,
            statuses=statuses,
            counts=status_counts(self.searched.model),
            counted_recently=counted_recently,
            recent_label=RECENT_LABEL,
            rows=rows,
            older_url=f"?{older}" if older else None,
        )

    def search(self, filters: Filters) -> tuple[list[Any], str | None]:
        model = self.searched.model
        query = self.searched.rows(filters.user.lower())
        since, until = _instant(filters.since), _instant(filters.until)
        if since is not None:
            query = query.where(model.created_at >= since)
        if until is not None:
            query = query.where(model.created_at < until)
        if filters.status:
            query = query.where(model.status == filters.status)
        if filters.before is not None:
            query = query.where(model.id < filters.before)
        rows = list(query.order_by(model.id.desc()).limit(PAGE_SIZE + 1))
        older = filters.query_string(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
        return rows[:PAGE_SIZE], older


class TweetSearchPage(SearchPage):
    template = "admin/tweets.html"
    section = "tweets"
    searched = TWEETS


class MailSearchPage(SearchPage):
    """Mail is found by its user's X handle or by the address it goes to."""

    template = "admin/mails.html"
    section = "mail"
    searched = MAILS


class RowPage(AdminPage):
    """One tweet or mail, and every attempt of its job."""

    #: The name the template knows the row by.
    noun: ClassVar[str]

    def on_get(self, req: falcon.Request, resp: falcon.Response, row_id: int) -> None:
        row = self.find(row_id)
        if row is None:
            raise falcon.HTTPRouteNotFound()
        self.render(req, resp, job=self.redis.job_history(row.job_id), **{self.noun: row})

    def find(self, row_id: int) -> Tweet | Mail | None:
        raise NotImplementedError


class TweetPage(RowPage):
    template = "admin/tweet.html"
    section = "tweets"
    noun = "tweet"

    def find(self, row_id: int) -> Tweet | None:
        return Tweet.select(Tweet, User).join(User).where(Tweet.id == row_id).first()


class MailPage(RowPage):
    template = "admin/mail.html"
    section = "mail"
    noun = "mail"

    def find(self, row_id: int) -> Mail | None:
        return Mail.get_or_none(Mail.id == row_id)


class JobPage(AdminPage):
    """A job by its id: its tweet's or mail's page when it has one, else its own history."""

    template = "admin/job.html"
    section = "jobs"

    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        tweet = Tweet.get_or_none(Tweet.job_id == job_id)
        if tweet is not None:
            raise falcon.HTTPSeeOther(f"/admin/tweets/{tweet.id}")
        mail = Mail.get_or_none(Mail.job_id == job_id)
        if mail is not None:
            raise falcon.HTTPSeeOther(f"/admin/mail/{mail.id}")
        job = self.redis.job_history(job_id)
        if job.record is None:
            raise falcon.HTTPRouteNotFound()
        self.render(req, resp, job_id=job_id, job=job)
