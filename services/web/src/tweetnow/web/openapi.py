"""The OpenAPI 3.1 document, generated from the route table and the structs it names.

Each documented route gives its path (Falcon's template, converters dropped),
its methods, the request body struct, and the answers and errors it gives;
the structs themselves become the document's components.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec

from .routes import Answer, Caller, HeaderParam, Operation, QueryParam, Route
from .row_ids import MAX_ROW_ID
from .schemas import Error
from .sessions import SESSION_COOKIE

REF = "#/components/schemas/{name}"

ERROR_WORDS = {
    400: "Malformed JSON or query parameter",
    401: "No or bad credentials",
    403: "CSRF check failed, or the action needs a browser session",
    404: "Not found, or not yours",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Body does not fit the schema or X's rules",
    503: "A dependency (queue, database) is unavailable",
}

SECURITY: dict[Caller, list[dict[str, list[str]]]] = {
    "anyone": [],
    "user": [{"bearer": []}, {"session": []}],
    "session": [{"session": []}],
}

#: ``{tweet_id:id}`` in a Falcon template: the name, and the converter if any.
_PATH_FIELD = re.compile(r"\{(?P<name>\w+)(?::(?P<converter>\w+))?\}")


def _ref(struct: type) -> dict[str, str]:
    return {"$ref": REF.format(name=struct.__name__)}


def _row_id(maximum: int = MAX_ROW_ID) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": maximum}


def _answer(answer: Answer) -> dict[str, Any]:
    doc: dict[str, Any] = {"description": answer.description}
    if answer.struct is not None:
        doc["content"] = {"application/json": {"schema": _ref(answer.struct)}}
    if answer.headers:
        doc["headers"] = {
            name: {"description": words, "schema": {"type": "integer"}}
            for name, words in answer.headers.items()
        }
    return doc


def _path_params(template: str) -> list[dict[str, Any]]:
    return [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": _row_id() if match["converter"] == "id" else {"type": "string"},
        }
        for match in _PATH_FIELD.finditer(template)
    ]


def _query_param(param: QueryParam) -> dict[str, Any]:
    return {"name": param.name, "in": "query", "schema": _row_id(param.maximum)}


def _header_param(param: HeaderParam) -> dict[str, Any]:
    return {
        "name": param.name,
        "in": "header",
        "description": param.description,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }


def _operation(template: str, operation: Operation) -> dict[str, Any]:
    answers = [Answer(code, Error, ERROR_WORDS[code]) for code in operation.errors]
    answers += operation.answers  # an operation's own wording wins over the standard one
    doc: dict[str, Any] = {"summary": operation.summary, "security": SECURITY[operation.caller]}
    parameters = _path_params(template) + [_query_param(q) for q in operation.query]
    parameters += [_header_param(h) for h in operation.headers]
    if parameters:
        doc["parameters"] = parameters
    if operation.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(operation.body)}},
        }
    if operation.form is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": operation.form}},
        }
    doc["responses"] = {str(a.status): _answer(a) for a in sorted(answers, key=_status_code)}
    return doc


def _status_code(answer: Answer) -> int:
    return answer.status


def _structs(operation: Operation) -> list[type]:
    named = [operation.body, *(a.struct for a in operation.answers)]
    return [struct for struct in named if struct is not None] + (
        [Error] if operation.errors else []
    )


def build_openapi(routes: Iterable[Route], version: str = "0.1.0") -> dict[str, Any]:
    paths: dict[str, Any] = {}
    structs: dict[str, type] = {}
    for route in routes:
        for method, operation in route.operations.items():
            path = _PATH_FIELD.sub(r"{\g<name>}", route.path)
            paths.setdefault(path, {})[method] = _operation(route.path, operation)
            structs.update((struct.__name__, struct) for struct in _structs(operation))
    _, components = msgspec.json.schema_components(structs.values(), ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "tweetnow", "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
            },
        },
    }
