"""The HTML pages people use; they call the same JSON API as any client."""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from ..sessions import SessionManager
from .account import AccountPage
from .home import Home
from .my_tweets import MyTweets
from .static_assets import StaticAssets, StaticFile
from .templating import PageTemplates
from .thoughts import ThoughtsPage
from .tweet_rules import ASSET_NAME, tweet_rules_js


def register_pages(app: falcon.App, deps: WebDeps, sessions: SessionManager) -> None:
    assets = StaticAssets.from_package(generated={ASSET_NAME: tweet_rules_js()})
    templates = PageTemplates(assets)
    app.add_route("/static/{name}", StaticFile(assets))
    app.add_route("/", Home(templates))
    app.add_route("/tweets", MyTweets(deps, templates))
    app.add_route("/account", AccountPage(templates))
    app.add_route("/thoughts", ThoughtsPage(templates))
