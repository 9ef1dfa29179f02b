"""The shapes of X's answers for the endpoints the sandbox serves, as JSON Schemas of our
own: written by reading X's published OpenAPI document (``latest-openapi.json`` in X's
SDK repository, xdevplatform/xdk), one schema per answer, each naming the component
it follows. Tests cannot reach that document, so these hold what the sandbox is
checked against; they say only what the document requires of each answer.

Where the document requires a field it never defines (``meta`` in
``MediaUploadResponse`` and ``MediaUploadAppendResponse``, ``type`` in
``ProcessingInfo``) and X's own answers leave it out, so do these.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

ID = {"type": "string", "pattern": "^[0-9]{1,19}$"}  # TweetId, MediaId, UserId
MEDIA_KEY = {"type": "string", "pattern": "^([0-9]+)_([0-9]+)$"}  # MediaKey

# Problem (RFC 7807): "type" and "title" required; "detail", "status".
PROBLEM: Schema = {
    "type": "object",
    "required": ["type", "title"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "status": {"type": "integer"},
    },
}
# InvalidRequestProblem: a Problem with "errors": [{"message", "parameters": {name: [str]}}].
INVALID_REQUEST: Schema = {
    "allOf": [
        PROBLEM,
        {
            "properties": {
                "type": {"const": "https://api.twitter.com/2/problems/invalid-request"},
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "message": {"type": "string"},
                            "parameters": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
            "required": ["errors"],
        },
    ]
}
# ResourceNotFoundProblem: a Problem with parameter, value, resource_id, resource_type.
RESOURCE_NOT_FOUND: Schema = {
    "allOf": [
        PROBLEM,
        {
            "required": ["parameter", "value", "resource_id", "resource_type"],
            "properties": {
                "parameter": {"type": "string", "minLength": 1},
                "resource_id": {"type": "string"},
                "resource_type": {"enum": ["user", "tweet", "media", "list", "space"]},
                "value": {"type": "string"},
            },
        },
    ]
}
# TweetCreateResponse: data {id, text} required.
TWEET_CREATED: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["id", "text"],
            "properties": {"id": ID, "text": {"type": "string"}},
        }
    },
}
# ProcessingInfo: check_after_secs, progress_percent, state.
PROCESSING_INFO: Schema = {
    "type": "object",
    "properties": {
        "check_after_secs": {"type": "integer"},
        "progress_percent": {"type": "integer"},
        "state": {"enum": ["succeeded", "in_progress", "pending", "failed"]},
    },
}
# MediaUploadResponse: data {expires_after_secs, id, media_key, processing_info, size}.
MEDIA_UPLOAD: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["id", "media_key"],
            "properties": {
                "expires_after_secs": {"type": "integer"},
                "id": ID,
                "media_key": MEDIA_KEY,
                "processing_info": PROCESSING_INFO,
                "size": {"type": "integer"},
            },
        }
    },
}
# MediaUploadAppendResponse: data {expires_at (epoch seconds)}.
MEDIA_APPENDED: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["expires_at"],
            "properties": {"expires_at": {"type": "integer"}},
        }
    },
}
# MetadataCreateResponse: data {id, associated_metadata {alt_text {text (<= 1000)}}}.
METADATA_CREATED: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": ID,
                "associated_metadata": {
                    "type": "object",
                    "properties": {
                        "alt_text": {
                            "type": "object",
                            "required": ["text"],
                            "properties": {"text": {"type": "string", "maxLength": 1000}},
                        }
                    },
                },
            },
        }
    },
}
# Get2UsersMeResponse: data User {id, name, username} required.
USER: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["id", "name", "username"],
            "properties": {"id": ID, "name": {"type": "string"}, "username": {"type": "string"}},
        }
    },
}
# Get2UsersIdTweetsResponse: data [Tweet {id, text, ...}], meta {result_count, next_token, ...}.
USER_TWEETS: Schema = {
    "type": "object",
    "properties": {
        "data": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {
                    "id": ID,
                    "text": {"type": "string"},
                    "author_id": ID,
                    "created_at": {"type": "string"},
                    "edit_history_tweet_ids": {"type": "array", "items": ID},
                },
            },
        },
        "meta": {
            "type": "object",
            "properties": {
                "result_count": {"type": "integer"},
                "newest_id": ID,
                "oldest_id": ID,
                "next_token": {"type": "string"},
            },
        },
    },
}
# TweetDeleteResponse: data {deleted: boolean} required.
TWEET_DELETED: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["deleted"],
            "properties": {"deleted": {"type": "boolean"}},
        }
    },
}
