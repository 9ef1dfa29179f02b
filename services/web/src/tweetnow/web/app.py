"""The Falcon app: ``create_app(deps)`` wires it, ``get_app()`` builds it from the environment.

gunicorn calls the factory: ``gunicorn 'tweetnow.web.app:get_app()'``.
"""

from __future__ import annotations

import falcon
import peewee

from tweetnow.shared.db import open_database
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.settings import get_settings

from .admin import register_admin
from .authentication import Authentication
from .db_connection import DatabaseConnection
from .deps import WebDeps
from .errors import handle_database_unavailable, handle_unexpected, serialize_error
from .metrics import MetricsEndpoint, RequestMetrics
from .pages import register_pages
from .request_context import RequestContext
from .resources.account import Me
from .resources.auth import Callback, Login, Logout
from .resources.docs import OpenApiDocument
from .resources.health import Liveness, Readiness
from .resources.jobs import JobItem
from .resources.thoughts import MailItem, Thoughts
from .resources.tokens import Token, Tokens
from .resources.tweet_retry import TweetRetry
from .resources.tweets import TweetItem, Tweets
from .row_ids import RowIdConverter
from .security_headers import SecurityHeaders
from .sessions import SessionManager
from .tweet_service import TweetService
from .x_signin import XSignIn


def create_app(deps: WebDeps) -> falcon.App:
    sessions = SessionManager(deps.settings)
    signin = XSignIn(deps.settings)
    metrics = RequestMetrics()
    app = falcon.App(
        middleware=[
            metrics,
            SecurityHeaders(hsts=deps.settings.cookie_secure),
            RequestContext(),
            DatabaseConnection(),
            Authentication(sessions),
        ],
    )
    app.router_options.converters["id"] = RowIdConverter
    app.req_options.strip_url_path_trailing_slash = True
    app.resp_options.secure_cookies_by_default = deps.settings.cookie_secure
    app.set_error_serializer(serialize_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(peewee.OperationalError, handle_database_unavailable)

    app.add_route("/healthz", Liveness())
    app.add_route("/readyz", Readiness(deps))
    app.add_route("/metrics", MetricsEndpoint(metrics, deps.settings.metrics_allow))
    app.add_route("/openapi.json", OpenApiDocument())
    app.add_route("/auth/x/login", Login(signin))
    app.add_route("/auth/x/callback", Callback(deps, signin, sessions))
    app.add_route("/auth/logout", Logout(sessions))
    app.add_route("/api/tokens", Tokens(deps))
    app.add_route("/api/tokens/{token_id:id}", Token())
    tweets = TweetService(deps)
    app.add_route("/api/tweets", Tweets(deps, tweets))
    app.add_route("/api/tweets/{tweet_id:id}", TweetItem(deps, tweets))
    app.add_route("/api/tweets/{tweet_id:id}/retry", TweetRetry(deps, tweets))
    app.add_route("/api/jobs/{job_id}", JobItem(deps))
    app.add_route("/api/me", Me(deps))
    app.add_route("/api/thoughts", Thoughts(deps))
    app.add_route("/api/mail/{mail_id:id}", MailItem())
    register_pages(app, deps, sessions)
    register_admin(app, deps)
    return app


def get_app() -> falcon.App:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    open_database(settings.database_url)
    return create_app(WebDeps.from_settings(settings))
