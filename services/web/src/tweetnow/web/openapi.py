"""The OpenAPI 3.1 document, generated from the schemas that validate requests."""

from __future__ import annotations

from typing import Any

import msgspec

from . import schemas
from .row_ids import MAX_ROW_ID

REF = "#/components/schemas/{name}"


def _ref(struct: type) -> dict[str, str]:
    return {"$ref": REF.format(name=struct.__name__)}


def _json(struct: type, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(struct)}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "Malformed JSON or query parameter",
        401: "No or bad credentials",
        403: "CSRF check failed, or the action needs a browser session",
        404: "Not found, or not yours",
        413: "Body too large",
        415: "Body is not JSON",
        422: "Body does not fit the schema or X's rules",
        503: "A dependency (queue, database) is unavailable",
    }
    return {str(c): _json(schemas.Error, words[c]) for c in codes}


def _body(struct: type) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(struct)}}}


AUTH = [{"bearer": []}, {"session": []}]


def build_openapi(version: str = "0.1.0") -> dict[str, Any]:
    structs = [
        schemas.TweetCreate,
        schemas.TokenCreate,
        schemas.Tweet,
        schemas.TweetAccepted,
        schemas.TweetPage,
        schemas.Job,
        schemas.JobRef,
        schemas.TokenIssued,
        schemas.TokenList,
        schemas.Error,
        schemas.Health,
        schemas.ThoughtCreate,
        schemas.ThoughtAccepted,
        schemas.Mail,
        schemas.Me,
        schemas.MeUpdate,
    ]
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    int_id = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
    paths: dict[str, Any] = {
        "/api/tweets": {
            "post": {
                "summary": "Accept a tweet; a worker posts it to X in the background",
                "security": AUTH,
                "requestBody": _body(schemas.TweetCreate),
                "responses": {
                    "202": _json(schemas.TweetAccepted, "Accepted; poll the job"),
                    **_errors(400, 401, 403, 413, 415, 422, 503),
                },
            },
            "get": {
                "summary": "The caller's tweets, newest first",
                "security": AUTH,
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {**int_id, "maximum": 100}},
                    {"name": "before", "in": "query", "schema": int_id},
                ],
                "responses": {"200": _json(schemas.TweetPage, "A page"), **_errors(400, 401)},
            },
        },
        "/api/tweets/{tweet_id}": {
            "get": {
                "summary": "One of the caller's tweets",
                "security": AUTH,
                "parameters": [
                    {"name": "tweet_id", "in": "path", "required": True, "schema": int_id}
                ],
                "responses": {"200": _json(schemas.Tweet, "The tweet"), **_errors(401, 404)},
            }
        },
        "/api/jobs/{job_id}": {
            "get": {
                "summary": "A background job's status",
                "security": AUTH,
                "parameters": [
                    {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json(schemas.Job, "The job"), **_errors(401, 404)},
            }
        },
        "/api/tokens": {
            "post": {
                "summary": "Create an API token (browser session only); shown once",
                "security": [{"session": []}],
                "requestBody": _body(schemas.TokenCreate),
                "responses": {
                    "201": _json(schemas.TokenIssued, "The new token"),
                    **_errors(400, 401, 403, 413, 415, 422),
                },
            },
            "get": {
                "summary": "The caller's live API tokens",
                "security": [{"session": []}],
                "responses": {"200": _json(schemas.TokenList, "Tokens"), **_errors(401, 403)},
            },
        },
        "/api/tokens/{token_id}": {
            "delete": {
                "summary": "Revoke an API token",
                "security": [{"session": []}],
                "parameters": [
                    {"name": "token_id", "in": "path", "required": True, "schema": int_id}
                ],
                "responses": {"204": {"description": "Revoked"}, **_errors(401, 403, 404)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "The process is up",
                "security": [],
                "responses": {"200": _json(schemas.Health, "Up")},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Redis and the database answer",
                "security": [],
                "responses": {
                    "200": _json(schemas.Health, "Ready"),
                    "503": _json(schemas.Health, "Not ready"),
                },
            }
        },
        "/api/thoughts": {
            "post": {
                "summary": "Mail a thought, with a GIF found for it; the mailer sends it",
                "security": AUTH,
                "requestBody": _body(schemas.ThoughtCreate),
                "responses": {
                    "202": _json(schemas.ThoughtAccepted, "Accepted; poll the job or the mail"),
                    **_errors(400, 401, 403, 413, 415, 422),
                    "429": {
                        **_json(schemas.Error, "Too many thoughts this hour"),
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds until the next thought can go",
                                "schema": {"type": "integer"},
                            }
                        },
                    },
                },
            }
        },
        "/api/mail/{mail_id}": {
            "get": {
                "summary": "One of the caller's mails",
                "security": AUTH,
                "parameters": [
                    {"name": "mail_id", "in": "path", "required": True, "schema": int_id}
                ],
                "responses": {"200": _json(schemas.Mail, "The mail"), **_errors(401, 404)},
            }
        },
        "/api/tweets/{tweet_id}/retry": {
            "post": {
                "summary": "Send a failed tweet again, under a new job",
                "security": AUTH,
                "parameters": [
                    {"name": "tweet_id", "in": "path", "required": True, "schema": int_id}
                ],
                "responses": {
                    "202": _json(schemas.TweetAccepted, "Queued again; poll the new job"),
                    **_errors(401, 403, 404),
                    "409": _json(schemas.Error, "The tweet has not failed"),
                    "503": _json(schemas.Error, "The database is unavailable"),
                },
            }
        },
        "/api/me": {
            "get": {
                "summary": "The caller's account",
                "security": AUTH,
                "responses": {"200": _json(schemas.Me, "The account"), **_errors(401)},
            },
            "patch": {
                "summary": "Change the address notices are mailed to",
                "security": AUTH,
                "requestBody": _body(schemas.MeUpdate),
                "responses": {
                    "200": _json(schemas.Me, "The account, changed"),
                    **_errors(400, 401, 403, 413, 415, 422),
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "tweetnow", "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "tweetnow_session"},
            },
        },
    }
