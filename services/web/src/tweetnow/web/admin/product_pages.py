"""``/admin/tweets``, ``/admin/mail`` and ``/admin/jobs/{id}``: find a tweet or a mail by
user, status and time, and open it to see every attempt of its job."""

from __future__ import annotations

import falcon
import redis

from tweetnow.shared.models import Mail, Tweet, User

from ..deps import WebDeps
from .access import admin_only
from .page_frame import AdminTemplates, render
from .product_search import (
    MAIL_STATUSES,
    TWEET_STATUSES,
    Filters,
    search_mail,
    search_tweets,
    status_counts,
)


class _Page:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates

    def _job(self, job_id: str) -> dict:
        try:
            record = self.deps.jobs.get(job_id)
            return {"record": record, "attempts": self.deps.jobs.attempts(job_id)}
        except redis.RedisError:
            return {"record": None, "attempts": []}


@falcon.before(admin_only)
class TweetSearch(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        filters = Filters.from_request(req, TWEET_STATUSES)
        rows, older = search_tweets(filters)
        render(
            req,
            resp,
            self.templates,
            "admin/tweets.html",
            "tweets",
            filters=filters,
            statuses=TWEET_STATUSES,
            counts=status_counts(Tweet),
            tweets=rows,
            older_url=f"?{older}" if older else None,
        )


@falcon.before(admin_only)
class TweetDetail(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response, tweet_id: int) -> None:
        tweet = Tweet.select(Tweet, User).join(User).where(Tweet.id == tweet_id).first()
        if tweet is None:
            raise falcon.HTTPRouteNotFound()
        render(
            req,
            resp,
            self.templates,
            "admin/tweet.html",
            "tweets",
            tweet=tweet,
            job=self._job(tweet.job_id),
        )


@falcon.before(admin_only)
class MailSearch(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        filters = Filters.from_request(req, MAIL_STATUSES)
        rows, older = search_mail(filters)
        render(
            req,
            resp,
            self.templates,
            "admin/mails.html",
            "mail",
            filters=filters,
            statuses=MAIL_STATUSES,
            counts=status_counts(Mail),
            mails=rows,
            older_url=f"?{older}" if older else None,
        )


@falcon.before(admin_only)
class MailDetail(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response, mail_id: int) -> None:
        mail = Mail.get_or_none(Mail.id == mail_id)
        if mail is None:
            raise falcon.HTTPRouteNotFound()
        job = self._job(mail.job_id)
        render(req, resp, self.templates, "admin/mail.html", "mail", mail=mail, job=job)


@falcon.before(admin_only)
class JobDetail(_Page):
    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        tweet = Tweet.get_or_none(Tweet.job_id == job_id)
        if tweet is not None:
            raise falcon.HTTPSeeOther(f"/admin/tweets/{tweet.id}")
        mail = Mail.get_or_none(Mail.job_id == job_id)
        if mail is not None:
            raise falcon.HTTPSeeOther(f"/admin/mail/{mail.id}")
        job = self._job(job_id)
        if job["record"] is None:
            raise falcon.HTTPRouteNotFound()
        render(req, resp, self.templates, "admin/job.html", "jobs", job_id=job_id, job=job)
