"""``/tweets``: the signed-in person's tweets, newest first, a page at a time."""

from __future__ import annotations

import falcon

from tweetnow.shared.models import Tweet, User

from ..deps import WebDeps
from ..row_ids import MAX_ROW_ID
from ..views import tweet_json
from .page_context import base_context, require_signed_in, send_html
from .templating import PageTemplates

PAGE_SIZE = 20


class MyTweets:
    def __init__(self, deps: WebDeps, templates: PageTemplates) -> None:
        self.deps = deps
        self.templates = templates

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_signed_in(req)
        before = req.get_param_as_int("before", min_value=1, max_value=MAX_ROW_ID)
        query = Tweet.select(Tweet, User).join(User).where(Tweet.user == user)
        if before is not None:
            query = query.where(Tweet.id < before)
        rows = list(query.order_by(Tweet.id.desc()).limit(PAGE_SIZE + 1))
        page = rows[:PAGE_SIZE]
        older = f"/tweets?before={page[-1].id}" if len(rows) > PAGE_SIZE else None
        html = self.templates.render(
            "tweets.html",
            tweets=[tweet_json(t, self.deps.settings) for t in page],
            older_url=older,
            before=before,
            **base_context(req, "tweets"),
        )
        send_html(resp, html)
