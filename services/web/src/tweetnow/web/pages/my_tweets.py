"""``/tweets``: the signed-in person's tweets: those scheduled first, soonest first, with
their time in the person's zone; then the others, newest first; each a page at a time
(``?scheduled_after=<id>`` pages through the scheduled ones alone, ``?before=<id>``
through the others)."""

from __future__ import annotations

import falcon

from ..domain.tweets import TweetService
from ..row_ids import MAX_ROW_ID
from ..schemas import Tweet as TweetAnswer
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates
from .time_zones import zone_of

PAGE_SIZE = 20


class MyTweets:
    def __init__(self, tweets: TweetService, templates: PageTemplates) -> None:
        self.tweets = tweets
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        before = req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID)
        after = req.get_param_as_int("scheduled_after", min_value=1, max_value=MAX_ROW_ID)
        scheduled: list[TweetAnswer] = []
        later = False
        if before is None:
            scheduled, later = self.tweets.scheduled(user, limit=PAGE_SIZE, after=after)
        tweets: list[TweetAnswer] = []
        more = False
        if after is None:
            tweets, more = self.tweets.page(user, limit=PAGE_SIZE, before=before, scheduled=False)
        html = self.templates.render(
            "tweets.html",
            scheduled=scheduled,
            later_scheduled_url=f"/tweets?scheduled_after={scheduled[-1].id}" if later else None,
            scheduled_only=after is not None,
            time_zone=zone_of(user),
            tweets=tweets,
            older_url=f"/tweets?before={tweets[-1].id}" if more else None,
            before=before,
            **base_context(req, "tweets"),
        )
        send_html(resp, html)
