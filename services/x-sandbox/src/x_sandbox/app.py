"""The Falcon app: ``create_app(settings)`` wires it, ``get_app()`` builds it from the environment.

gunicorn runs ``x_sandbox.app:get_app()`` in one worker process, since the
sandbox keeps its state in memory.
"""

from __future__ import annotations

import logging
import sys

import falcon

from x_sandbox.access_tokens import AccessTokens
from x_sandbox.clock import Clock, SystemClock
from x_sandbox.middleware import PostStatsMiddleware, RateLimitMiddleware, UserContextMiddleware
from x_sandbox.oauth_signatures import SignatureChecker
from x_sandbox.posting import TweetIntake
from x_sandbox.resources.consent import ConsentResource
from x_sandbox.resources.hooks import (
    FaultsHook,
    PostedTweetsHook,
    ResetHook,
    RevokeHook,
    SandboxHealthHook,
    StatsHook,
)
from x_sandbox.resources.media import (
    MediaAppendResource,
    MediaFinalizeResource,
    MediaInitializeResource,
    MediaMetadataResource,
    MediaStatusResource,
)
from x_sandbox.resources.oauth_tokens import AccessTokenResource, RequestTokenResource
from x_sandbox.resources.pages import IndexPageResource, StatusPageResource
from x_sandbox.resources.tweets import CreateTweetResource, DeleteTweetResource
from x_sandbox.resources.users import UsersMeResource, UserTweetsResource
from x_sandbox.settings import SandboxSettings
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import XProblem, handle_http_error, handle_x_problem


def create_app(
    settings: SandboxSettings, *, clock: Clock | None = None, state: SandboxState | None = None
) -> falcon.App:
    clock = clock or SystemClock()
    state = state or SandboxState()
    tokens = AccessTokens(settings.consumer_secret)
    checker = SignatureChecker(settings.consumer_key, settings.consumer_secret, clock)

    app: falcon.App = falcon.App(
        middleware=[
            PostStatsMiddleware(state),
            UserContextMiddleware(checker, tokens, state),
            RateLimitMiddleware(state, clock),
        ]
    )
    # Signatures cover form bodies: keep them raw for the check.
    app.req_options.auto_parse_form_urlencoded = False
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(XProblem, handle_x_problem)

    app.add_route("/oauth/request_token", RequestTokenResource(checker, state, clock))
    consent = ConsentResource(state, clock)
    app.add_route("/oauth/authenticate", consent)
    app.add_route("/oauth/authorize", consent)
    app.add_route("/oauth/access_token", AccessTokenResource(checker, tokens, state, clock))

    app.add_route("/2/users/me", UsersMeResource())
    app.add_route("/2/users/{user_id}/tweets", UserTweetsResource(state))
    app.add_route("/2/tweets", CreateTweetResource(TweetIntake(state, clock)))
    app.add_route("/2/tweets/{tweet_id}", DeleteTweetResource(state))
    app.add_route("/2/media/upload", MediaStatusResource(state, clock))
    app.add_route("/2/media/upload/initialize", MediaInitializeResource(state, clock))
    app.add_route("/2/media/upload/{media_id}/append", MediaAppendResource(state, clock))
    app.add_route("/2/media/upload/{media_id}/finalize", MediaFinalizeResource(state, clock))
    app.add_route("/2/media/metadata", MediaMetadataResource(state, clock))

    app.add_route("/", IndexPageResource(state, settings.public_url))
    app.add_route(
        "/{username}/status/{tweet_id:int}", StatusPageResource(state, settings.public_url)
    )

    app.add_route("/_sandbox/health", SandboxHealthHook())
    app.add_route("/_sandbox/tweets", PostedTweetsHook(state, settings.public_url))
    app.add_route("/_sandbox/faults", FaultsHook(state))
    app.add_route("/_sandbox/reset", ResetHook(state))
    app.add_route("/_sandbox/users/{username}/revoke", RevokeHook(state))
    app.add_route("/_sandbox/stats", StatsHook(state))
    return app


def get_app() -> falcon.App:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("oauthlib").setLevel(logging.WARNING)  # the sandbox logs the outcome
    settings = SandboxSettings.from_env()
    logging.getLogger(__name__).info(
        "x_sandbox_starting public_url=%s consumer_key=%s",
        settings.public_url,
        settings.consumer_key,
    )
    return create_app(settings)
