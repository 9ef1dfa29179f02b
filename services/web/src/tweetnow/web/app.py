"""The Falcon app: ``create_app(deps)`` wires it, ``get_app()`` builds it from the environment.

gunicorn calls the factory: ``gunicorn 'tweetnow.web.app:get_app()'``.

Every route of the API and the pages is listed once, in ``route_table``; the
admin dashboard adds its own under /admin.
"""

from __future__ import annotations

import falcon
import falcon.media
import msgspec
import peewee

from tweetnow.shared.db import open_database
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.settings import startup_settings

from . import schemas
from .admin import register_admin
from .api.account import Me
from .api.accounts import AccountItem, Accounts
from .api.auth import SIGN_IN_WINDOW, Callback, Login, Logout, LogoutEverywhere, SignInProblem
from .api.docs import OpenApiDocument
from .api.health import Liveness, Readiness
from .api.idempotency import HEADER as IDEMPOTENCY_HEADER
from .api.idempotency import HEADER_DOC as IDEMPOTENCY_HEADER_DOC
from .api.idempotency import answer_again
from .api.jobs import JobItem
from .api.media import UPLOAD_FORM, MediaUploads
from .api.thoughts import MailItem, Thoughts
from .api.tokens import TokenItem, Tokens
from .api.tweets import MAX_PAGE, TweetItem, Tweets
from .api.webhooks import MAX_DELIVERIES, WebhookItem, Webhooks
from .deps import WebDeps
from .domain.account import AccountService
from .domain.errors import DomainError
from .domain.idempotency import AlreadyAnswered
from .domain.jobs import JobService
from .domain.mail import MailService
from .domain.media import MediaService
from .domain.tokens import TokenService
from .domain.tweets import TweetService
from .domain.webhooks import WebhookService
from .errors import (
    handle_database_unavailable,
    handle_domain_error,
    handle_unexpected,
    serialize_error,
)
from .middleware.authentication import Authentication
from .middleware.db_connection import DatabaseConnection
from .middleware.metrics import MetricsEndpoint, RequestMetrics
from .middleware.operations import DeclaredOperations
from .middleware.request_context import RequestContext
from .middleware.security_headers import SecurityHeaders
from .openapi import build_openapi
from .pages.account import AccountPage
from .pages.home import Home
from .pages.my_tweets import MyTweets
from .pages.signin_problem import SignInProblemPage
from .pages.static_assets import StaticAssets, StaticFile
from .pages.templating import PageTemplates
from .pages.thoughts import ThoughtsPage
from .pages.tweet_rules import ASSET_NAME, tweet_rules_js
from .routes import Answer, Caller, HeaderParam, Operation, QueryParam, Route, add_routes
from .row_ids import MAX_ROW_ID, RowIdConverter
from .sessions import SessionManager
from .signin_binding import SignInBinding
from .x_signin import XSignIn

#: The errors any operation that reads a JSON body can give.
BODY_ERRORS = (400, 401, 403, 413, 415, 422)


def takes_body(
    body: type,
    summary: str,
    *answers: Answer,
    errors: tuple[int, ...] = BODY_ERRORS,
    caller: Caller = "user",
    headers: tuple[HeaderParam, ...] = (),
) -> Operation:
    """An operation that reads a JSON body into ``body`` and can give every body error."""
    return Operation(summary, answers, errors=errors, body=body, caller=caller, headers=headers)


#: Operations that create something take an Idempotency-Key (see api.idempotency).
IDEMPOTENCY_KEY = (HeaderParam(IDEMPOTENCY_HEADER, IDEMPOTENCY_HEADER_DOC),)


def one_of_theirs(summary: str, struct: type, description: str) -> Operation:
    """Reading one thing of the caller's by its id: someone else's is not found."""
    return Operation(summary, (Answer(200, struct, description),), errors=(401, 404))


def page_assets() -> StaticAssets:
    """The pages' static files, with the character count's rules generated for them."""
    return StaticAssets.from_package(generated={ASSET_NAME: tweet_rules_js()})


def route_table(
    deps: WebDeps,
    sessions: SessionManager,
    metrics: RequestMetrics,
    tokens: TokenService,
    assets: StaticAssets,
    templates: PageTemplates,
) -> list[Route]:
    """Every route, with the documentation of the API's; /openapi.json is built from it."""
    signin = XSignIn(deps.settings)
    binding = SignInBinding(deps.settings, SIGN_IN_WINDOW)
    tweets = TweetService(deps)
    mail = MailService(deps)
    webhooks = WebhookService(deps)
    routes = [
        Route(
            "/healthz",
            Liveness(),
            operations={
                "get": Operation(
                    "The process is up",
                    (Answer(200, schemas.Health, "Up"),),
                    caller="anyone",
                )
            },
        ),
        Route(
            "/readyz",
            Readiness(deps.redis),
            operations={
                "get": Operation(
                    "Redis and the database answer, and the schema is migrated",
                    (
                        Answer(200, schemas.Health, "Ready"),
                        Answer(503, schemas.Health, "Not ready"),
                    ),
                    caller="anyone",
                )
            },
        ),
        Route("/metrics", MetricsEndpoint(metrics, deps.settings.metrics_allow)),
        Route("/auth/x/login", Login(signin, binding)),
        Route("/auth/x/callback", Callback(deps, signin, sessions, binding)),
        Route("/auth/logout", Logout(sessions)),
        Route(
            "/auth/logout-all",
            LogoutEverywhere(sessions),
            operations={
                "post": Operation(
                    "Sign out of every browser: end every session of the person",
                    (
                        Answer(204, None, "Every session ended"),
                        Answer(303, None, "Every session ended; a form post goes to /"),
                    ),
                    errors=(401, 403),
                    caller="session",
                )
            },
        ),
        Route(
            "/api/tweets",
            Tweets(tweets),
            operations={
                "post": takes_body(
                    schemas.TweetCreate,
                    "Accept a tweet; a worker posts it to X in the background",
                    Answer(202, schemas.TweetAccepted, "Accepted; poll the job"),
                    Answer(429, schemas.Error, "Too many tweets queued or scheduled"),
                    Answer(
                        422,
                        schemas.Error,
                        "Body does not fit the schema or X's rules, or the Idempotency-Key "
                        "was used with another body",
                    ),
                    errors=(*BODY_ERRORS, 503),
                    headers=IDEMPOTENCY_KEY,
                ),
                "get": Operation(
                    "The caller's tweets, newest first",
                    (Answer(200, schemas.TweetPage, "A page"),),
                    errors=(400, 401),
                    query=(QueryParam("limit", MAX_PAGE), QueryParam("before", MAX_ROW_ID)),
                ),
            },
        ),
        Route(
            "/api/tweets/{tweet_id:id}",
            tweet_item := TweetItem(tweets),
            operations={
                "get": one_of_theirs("One of the caller's tweets", schemas.Tweet, "The tweet"),
                "delete": Operation(
                    "Cancel a scheduled or queued tweet",
                    (
                        Answer(200, schemas.Tweet, "Canceled"),
                        Answer(409, schemas.Error, "The tweet is already sending or done"),
                    ),
                    errors=(401, 403, 404, 503),
                ),
                "patch": takes_body(
                    schemas.TweetReschedule,
                    "Reschedule a scheduled tweet: its row and its job change together",
                    Answer(200, schemas.Tweet, "Rescheduled"),
                    Answer(409, schemas.Error, "The tweet is no longer scheduled"),
                    errors=(*BODY_ERRORS, 404, 503),
                ),
            },
        ),
        Route(
            "/api/tweets/{tweet_id:id}/retry",
            tweet_item,
            suffix="retry",
            operations={
                "post": Operation(
                    "Send a failed tweet again, under a new job",
                    (
                        Answer(202, schemas.TweetAccepted, "Queued again; poll the new job"),
                        Answer(409, schemas.Error, "The tweet has not failed"),
                        Answer(429, schemas.Error, "Too many tweets queued or scheduled"),
                        Answer(503, schemas.Error, "The database is unavailable"),
                    ),
                    errors=(401, 403, 404),
                ),
            },
        ),
        Route(
            "/api/media",
            MediaUploads(MediaService()),
            operations={
                "post": Operation(
                    "Upload an image for a tweet (multipart/form-data: `file`, optional "
                    "`alt_text` up to 1,000 characters): JPEG, PNG or WebP up to 5 MB, "
                    "GIF up to 15 MB, checked by their content",
                    (
                        Answer(201, schemas.MediaUploaded, "Kept; attach it with `media_ids`"),
                        Answer(413, schemas.Error, "Over the size X takes for its type"),
                        Answer(415, schemas.Error, "Not an image type X takes"),
                        Answer(422, schemas.Error, "Damaged, no `file`, or alt text too long"),
                    ),
                    errors=(400, 401, 403, 503),
                    form=UPLOAD_FORM,
                ),
            },
        ),
        Route(
            "/api/jobs/{job_id}",
            JobItem(JobService(deps)),
            operations={"get": one_of_theirs("A background job's status", schemas.Job, "The job")},
        ),
        Route(
            "/api/thoughts",
            Thoughts(mail),
            operations={
                "post": takes_body(
                    schemas.ThoughtCreate,
                    "Mail a thought, with a GIF found for it; the mailer sends it",
                    Answer(202, schemas.ThoughtAccepted, "Accepted; poll the job or the mail"),
                    Answer(
                        429,
                        schemas.Error,
                        "Too many thoughts this hour",
                        headers={"Retry-After": "Seconds until the next thought can go"},
                    ),
                    Answer(
                        422,
                        schemas.Error,
                        "Bad address or thought, or the Idempotency-Key was used with another body",
                    ),
                    headers=IDEMPOTENCY_KEY,
                )
            },
        ),
        Route(
            "/api/mail/{mail_id:id}",
            MailItem(mail),
            operations={
                "get": one_of_theirs("One of the caller's mails", schemas.Mail, "The mail")
            },
        ),
        Route(
            "/api/me",
            Me(AccountService(deps)),
            operations={
                "get": Operation(
                    "The caller's account",
                    (Answer(200, schemas.Me, "The account"),),
                    errors=(401,),
                ),
                "patch": takes_body(
                    schemas.MeUpdate,
                    "Change the address notices are mailed to, or the pages' time zone",
                    Answer(200, schemas.Me, "The account, changed"),
                ),
            },
        ),
        Route(
            "/api/accounts",
            Accounts(),
            operations={
                "get": Operation(
                    "The X accounts the caller can post as: the one signed in with first",
                    (Answer(200, schemas.AccountList, "Connected accounts"),),
                    errors=(401,),
                )
            },
        ),
        Route(
            "/api/accounts/{account_id:id}",
            AccountItem(deps.jobs),
            operations={
                "delete": Operation(
                    "Disconnect a connected X account: its tokens are erased, its scheduled, "
                    "queued and held tweets canceled",
                    (
                        Answer(200, schemas.Account, "Disconnected"),
                        Answer(409, schemas.Error, "The account signed in with"),
                    ),
                    errors=(401, 403, 404),
                )
            },
        ),
        Route(
            "/api/tokens",
            Tokens(tokens),
            operations={
                "get": Operation(
                    "The caller's live API tokens",
                    (Answer(200, schemas.TokenList, "Tokens"),),
                    errors=(401, 403),
                    caller="session",
                ),
                "post": takes_body(
                    schemas.TokenCreate,
                    "Create an API token (browser session only); shown once",
                    Answer(201, schemas.TokenIssued, "The new token"),
                    caller="session",
                ),
            },
        ),
        Route(
            "/api/tokens/{token_id:id}",
            TokenItem(tokens),
            operations={
                "delete": Operation(
                    "Revoke an API token",
                    (Answer(204, None, "Revoked"),),
                    errors=(401, 403, 404),
                    caller="session",
                )
            },
        ),
        Route(
            "/api/webhooks",
            Webhooks(webhooks),
            operations={
                "get": Operation(
                    "The caller's webhooks, disabled ones included",
                    (Answer(200, schemas.WebhookList, "Webhooks"),),
                    errors=(401,),
                ),
                "post": takes_body(
                    schemas.WebhookCreate,
                    "Add a webhook; its signing secret is shown once",
                    Answer(201, schemas.WebhookIssued, "The new webhook and its secret"),
                ),
            },
        ),
        Route(
            "/api/webhooks/{webhook_id:id}",
            webhook_item := WebhookItem(webhooks),
            operations={
                "delete": Operation(
                    "Delete a webhook and its deliveries",
                    (Answer(204, None, "Deleted"),),
                    errors=(401, 403, 404),
                )
            },
        ),
        Route(
            "/api/webhooks/{webhook_id:id}/deliveries",
            webhook_item,
            suffix="deliveries",
            operations={
                "get": Operation(
                    "A webhook's latest deliveries, newest first, each with its attempts",
                    (Answer(200, schemas.WebhookDeliveryList, "Deliveries"),),
                    errors=(400, 401, 404),
                    query=(QueryParam("limit", MAX_DELIVERIES),),
                )
            },
        ),
        Route("/static/{name}", StaticFile(assets)),
        Route("/", Home(templates)),
        Route("/tweets", MyTweets(tweets, templates)),
        Route("/account", AccountPage(tokens, webhooks, templates)),
        Route("/thoughts", ThoughtsPage(templates)),
    ]
    return [*routes, Route("/openapi.json", OpenApiDocument(build_openapi(routes)))]


def create_app(deps: WebDeps) -> falcon.App:
    sessions = SessionManager(deps.settings)
    tokens = TokenService(deps.token_cache)
    metrics = RequestMetrics()
    assets = page_assets()
    templates = PageTemplates(assets)
    routes = route_table(deps, sessions, metrics, tokens, assets, templates)
    app = falcon.App(
        middleware=(
            metrics,
            SecurityHeaders(hsts=deps.settings.cookie_secure),
            RequestContext(),
            DatabaseConnection(),
            Authentication(sessions, tokens, max_body_bytes=deps.settings.max_body_bytes),
            DeclaredOperations(routes, max_body_bytes=deps.settings.max_body_bytes),
        ),
    )
    app.router_options.converters["id"] = RowIdConverter
    app.req_options.strip_url_path_trailing_slash = True
    app.resp_options.secure_cookies_by_default = deps.settings.cookie_secure
    # Answers are msgspec structs (or plain dicts); msgspec writes both.
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = falcon.media.JSONHandler(
        dumps=msgspec.json.encode
    )
    app.set_error_serializer(serialize_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(peewee.OperationalError, handle_database_unavailable)
    # A connection the server dropped (PostgreSQL restarting) fails its rollback with
    # "connection already closed": the transaction is gone all the same.
    app.add_error_handler(peewee.InterfaceError, handle_database_unavailable)
    app.add_error_handler(DomainError, handle_domain_error)
    app.add_error_handler(AlreadyAnswered, answer_again)
    app.add_error_handler(SignInProblem, SignInProblemPage(templates).handle)
    add_routes(app, routes)
    register_admin(app, deps)
    return app


def get_app() -> falcon.App:
    """The app for gunicorn's workers; gunicorn_conf has already refused unsafe settings
    in the master, so a worker never exits here in a loop of restarts."""
    settings = startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    open_database(settings.database_url, pooled=True)
    deps = WebDeps.from_settings(settings)
    # gunicorn builds this in its master (preload_app) and forks the workers from it.
    # One round trip through the token box here does OpenSSL's one-time set-up (the
    # cipher and MAC it looks up on first use) before the fork, once for all workers:
    # about 1 MiB less of each worker's own memory once it has signed someone in.
    deps.box.decrypt(deps.box.encrypt("before the workers fork"))
    return create_app(deps)
